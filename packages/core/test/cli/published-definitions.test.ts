// Definitions published through `tessera serve`, run by a `tessera worker` that never had them in
// code: the built executable as real processes on one SQLite file (build core and connectors first).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTesseraPerTest } from './run-tessera'

const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-published-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const start = startTesseraPerTest()

const amount = {
  type: 'object',
  properties: { amount: { type: 'integer', minimum: 0 } },
  required: ['amount'],
}
/** Doubles twice, with the step every process of the fixture config has. */
const definitionOf = (id: string) => ({
  kind: 'tessera.workflow',
  schemaVersion: 1,
  id,
  version: '1',
  inputSchema: amount,
  root: {
    type: 'sequence',
    id: 'root',
    children: [
      { type: 'step', id: 'first', step: 'conformance-double' },
      { type: 'step', id: 'second', step: 'conformance-double' },
    ],
  },
})

describe(
  'published definitions with tessera serve and tessera worker on one SQLite file',
  { timeout: 60_000 },
  () => {
    it('the worker registers what was published before it started and finds what was published after', async () => {
      const env = { TESSERA_TEST_SQLITE_FILE: join(dir, 'published.db') }
      const serve = start(['serve', '--config', 'sqlite.config.ts', '--port', '0', '--no-worker'], {
        env,
      })
      const [, url] = await serve.waitForLine(
        /listening on (http:\/\/\S+) \(worker off, store "sqlite/,
      )
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${url}${path}`, {
          method,
          ...(body !== undefined
            ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
            : {}),
        })
        return { status: response.status, body: (await response.json()) as any }
      }
      const publish = async (id: string) => {
        expect((await call('POST', '/definitions', { definition: definitionOf(id) })).status).toBe(
          201,
        )
        const published = await call('POST', `/definitions/${id}/publish`, { version: 1 })
        expect(published.status).toBe(200)
        return published.body.definition.publishedWorkflowVersion as string
      }
      const startRun = async (workflowId: string) => {
        const started = await call('POST', '/runs', { workflowId, input: { amount: 3 } })
        expect(started.status).toBe(201)
        return started.body.run.id as string
      }
      const settled = async (runId: string) => {
        for (let tries = 0; tries < 400; tries++) {
          const { body } = await call('GET', `/runs/${runId}`)
          if (body.run.status === 'succeeded') return body.run
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
        throw new Error(`run ${runId} did not succeed`)
      }

      const before = await publish('cli-before')
      const first = await startRun('cli-before')
      const worker = start(['worker', '--config', 'sqlite.config.ts'], { env })
      await worker.waitForLine(
        new RegExp(
          `^tessera worker: registered 1 published definition: "cli-before" version 1 \\(${before}\\)$`,
        ),
      )
      expect((await settled(first)).output).toEqual({ amount: 12 })

      // Published after the worker started: the worker looks it up when it meets its first task.
      const after = await publish('cli-after')
      expect((await settled(await startRun('cli-after'))).output).toEqual({ amount: 12 })

      // A restarted server has both from the start.
      expect(await serve.stop('SIGTERM')).toBe(0)
      const again = start(['serve', '--config', 'sqlite.config.ts', '--port', '0', '--no-worker'], {
        env,
      })
      await again.waitForLine(
        new RegExp(
          `^tessera serve: registered 2 published definitions: "cli-after" version 1 \\(${after}\\), "cli-before" version 1 \\(${before}\\)$`,
        ),
      )
      expect(worker.stderr()).toBe('')
      expect(await worker.stop('SIGTERM')).toBe(0)
      expect(await again.stop('SIGTERM')).toBe(0)
    })
  },
)
