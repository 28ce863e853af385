// The startup workload's process: imports core, runs one W1 workflow, checks it, exits
// (naturally, after engine.close()). run.mjs times it from spawn to exit.
import { createEngine } from '@tessera/core'
import { W1_INPUT, W1_OUTPUT, check } from './baselines.mjs'
import { buildW1 } from './workflows.mjs'

const engine = createEngine()
const run = await engine.start(buildW1(), W1_INPUT)
check('startup', await run.result(), W1_OUTPUT)
await engine.close()
if (process.env.BENCH_REPORT_RSS === '1') {
  process.stdout.write(`${process.resourceUsage().maxRSS}\n`)
}
