// An agent inside a durable workflow, on a local model: no server, no API key, no network.
//
// A refund-desk agent reads a ticket and calls its `issueRefund` tool, which needs a person's
// approval. The run suspends on that approval; this process then closes its engine (as if it
// were redeployed), and a new engine on the same SQLite file approves the refund. The agent
// resumes where it stopped: the model call it already paid for is replayed from the store, the
// tool runs once, and the model writes its closing answer.
//
// The model is stories260K, a 260K-parameter model trained on children's stories: it cannot
// reason about refunds, so its words are nonsense. What it shows is the machinery: grammar-
// constrained tool calls that always match the tool's schema, and durable, resumable agents.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { agentStep, defineAgent, tool, type AgentEvent } from '@tessera/agents'
import { createLlamaCpp } from '@tessera/agents/llama-cpp'
import { createSqliteStore } from '@tessera/connectors/sqlite'
import { createEngine, createStep, createWorkflow, type StepSuspendEvent } from '@tessera/core'
import { z } from 'zod'

// ── the model ────────────────────────────────────────────────────────────────────────────────
// TESSERA_GGUF, else the model kept beside the repository (../shared/models), as on our machines.
const candidates = process.env.TESSERA_GGUF
  ? [process.env.TESSERA_GGUF]
  : [
      fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url)),
      '/work/shared/models/stories260K.gguf',
    ]
const modelPath = candidates.find((path) => existsSync(path))
if (modelPath === undefined) {
  console.log(
    `No model file at ${candidates.join(' or ')}. Set TESSERA_GGUF to a GGUF model file (any size works) and run again.`,
  )
  process.exit(process.env.CI === 'true' ? 1 : 0)
}
const local = createLlamaCpp({ modelPath, threads: 1, contextSize: 1024, maxOutputTokens: 128 })
const model = local('stories260K')

// ── a tool that moves money, so it needs a person's approval ────────────────────────────────
const ledger: { orderId: string; amount: number }[] = []
const issueRefund = tool({
  description: 'Refunds an order. A manager approves every refund.',
  input: z.object({ orderId: z.string(), amount: z.number() }),
  output: z.object({ refundId: z.string() }),
  needsApproval: true,
  execute: ({ orderId, amount }) => {
    ledger.push({ orderId, amount })
    return { refundId: `rf-${ledger.length}` }
  },
})

const refundDesk = defineAgent({
  id: 'refund-desk',
  instructions: 'You handle refund tickets. Refund with issueRefund, then answer the customer.',
  model,
  tools: { issueRefund },
  // A tiny model would rarely choose the tool by itself: ask for it on the first call only.
  toolChoice: ({ toolCalls }) =>
    toolCalls === 0 ? { type: 'tool', toolName: 'issueRefund' } : 'none',
  input: z.object({ ticket: z.string() }),
  prompt: ({ ticket }) => ticket,
  temperature: 0,
  maxSteps: 3,
})

const events: AgentEvent[] = []
const answer = agentStep(refundDesk, { onEvent: (event) => events.push(event) })
const file = createStep({
  id: 'file-ticket',
  input: z.string(),
  output: z.object({ reply: z.string(), refunds: z.number() }),
  run: ({ input }) => ({ reply: input, refunds: ledger.length }),
})
const workflow = createWorkflow({ id: 'refund-ticket', input: z.object({ ticket: z.string() }) })
  .then(answer)
  .then(file)
  .commit()

// ── run it, suspend, restart, approve ─────────────────────────────────────────────────────────
const directory = mkdtempSync(join(tmpdir(), 'tessera-local-agent-'))
const filename = join(directory, 'tessera.db')
try {
  const first = createEngine({ store: createSqliteStore({ filename }), workflows: [workflow] })
  const suspended = new Promise<StepSuspendEvent>((resolve) => first.on('step-suspend', resolve))
  const run = await first.start(workflow, { ticket: 'My order A17 arrived broken.' })
  // The run suspends at the approval; if it ended instead, result() says why.
  const wait = await Promise.race([
    suspended,
    run.result().then(() => {
      throw new Error('the run ended without waiting for the approval')
    }),
  ])
  const request = events.find((event) => event.type === 'tool-approval-request')
  console.log(`1. run ${run.id} is ${(await run.record()).status}, waiting for "${wait.wait.name}"`)
  console.log(`   the model asked for: issueRefund(${JSON.stringify(request?.input)})`)
  await first.close()

  const second = createEngine({ store: createSqliteStore({ filename }), workflows: [workflow] })
  console.log('2. a new engine on the same file approves it')
  await second.approve(run.id, wait.wait.name, { note: 'ok, within policy' }, { by: 'manager' })
  const result = (await (await second.getRun(run.id)).result()) as z.output<
    typeof file.outputSchema
  >
  console.log(`3. the run succeeded: ${JSON.stringify(result)}`)

  const calls = events.filter((event) => event.type === 'model-call-end')
  const replayed = calls.filter((event) => event.replayed).length
  console.log(
    `   model calls: ${calls.length} events, ${replayed} replayed from the store (paid once); refunds issued: ${ledger.length}`,
  )
  if (ledger.length !== 1 || replayed !== 1 || result.refunds !== 1) {
    throw new Error('expected one refund and one replayed model call')
  }
  await second.close()
} finally {
  await local.dispose()
  rmSync(directory, { recursive: true, force: true })
}
