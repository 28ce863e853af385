import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterEach } from 'vitest'

const bin = new URL('../../bin/tessera.js', import.meta.url).pathname
export const fixtures = new URL('./fixtures/', import.meta.url).pathname

/** What a finished `tessera` process printed and how it exited. */
export interface TesseraResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `tessera` executable to its end. */
export function runTessera(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<TesseraResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? fixtures,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A long-running `tessera` process (serve, worker) and the lines it printed so far. */
export interface RunningTessera {
  child: ChildProcess
  lines: string[]
  stderr: () => string
  /** Resolves with the first stdout line matching `pattern` (rejects if the process ends first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts the built `tessera` executable and follows its output. */
export function startTessera(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunningTessera {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? fixtures,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const waiters = new Set<() => void>()
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line)
    for (const waiter of waiters) waiter()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of lines) {
            const match = pattern.exec(line)
            if (match) {
              waiters.delete(check)
              clearTimeout(timer)
              resolve(match)
              return
            }
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(
            new Error(
              `no line matched ${pattern} in ${timeoutMs} ms: ${lines.join('\n')}\n${stderr}`,
            ),
          )
        }, timeoutMs)
        waiters.add(check)
        void exited.then((code) => {
          if (!waiters.has(check)) return
          waiters.delete(check)
          clearTimeout(timer)
          reject(
            new Error(
              `tessera exited (${code}) before printing ${pattern}:\n${lines.join('\n')}\n${stderr}`,
            ),
          )
        })
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/**
 * `startTessera` for one test file: every process it starts is killed (SIGKILL) after each test.
 *
 * @example
 * ```ts
 * const start = startTesseraPerTest()
 * const serve = start(['serve', '--config', config])
 * ```
 */
export function startTesseraPerTest(): typeof startTessera {
  const running: RunningTessera[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((process) => process.stop('SIGKILL')))
  })
  return (...args) => {
    const process = startTessera(...args)
    running.push(process)
    return process
  }
}
