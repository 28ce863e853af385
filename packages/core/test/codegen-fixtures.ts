// Workflows for the code generator's round-trip tests (not published: outside src/). Every
// inline function lives in `functions` under its registered id, so generated code that imports
// this module rebuilds the same definitions, versions included.
import { z } from 'zod'
import {
  type AgentV1,
  asNode,
  createWorkflow,
  defineConnector,
  expression,
  namedFunction,
  sequence,
  single,
} from '../src/index'
import { inc, num, square } from './fixtures'

type Num = { n: number }

export const child = createWorkflow({ id: 'child', input: num }).then(inc).commit()

export const functions = {
  'everything/branch-1/when-0': ({ input }: { input: Num }) => input.n > 5,
  'everything/branch-1/when-1': () => true,
  'shared/pair': ({ input }: { input: { a: Num; 'b-side': Num } }) => [input.a, input['b-side']],
  'everything/map-1': ({ input }: { input: Num[] }) => input[0] ?? { n: 0 },
  'everything/loop-1/until': ({ output }: { output: Num }) => output.n > 3,
  'shared/wake-at': ({ input }: { input: Num }) => input.n * 1000,
  'everything/payment.received/match': ({ input }: { input: Num }) => ({
    orderId: String(input.n),
  }),
  'totals/map-1': ({ input }: { input: Num }) => [input, input],
}

export const steps = { inc, square }
export const workflows = { child }

const mailer = defineConnector({
  id: 'mail.v2',
  config: z.object({
    from: z.string(),
    tags: z.array(z.string()).optional(),
    limits: z.object({ perMinute: z.number() }).optional(),
  }),
  actions: {
    send: {
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number(), sent: z.boolean() }),
      run: async ({ input }) => ({ ...input, sent: true }),
    },
    'count-words': {
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: async ({ input }) => input,
    },
  },
})
const ping = defineConnector({
  id: 'ping',
  config: z.object({}),
  actions: {
    ping: {
      input: z.object({ n: z.number() }),
      output: z.object({ n: z.number() }),
      run: async ({ input }) => input,
    },
  },
})
export const connectors = { 'mail.v2': mailer, ping }

/** A hand-written agent: doubles `n`. */
function doubler(id: string): AgentV1<Num, Num> {
  return {
    specificationVersion: 'v1',
    kind: 'agent',
    id,
    description: undefined,
    input: num,
    output: num,
    run: async ({ input }) => ({ n: input.n * 2 }),
  }
}
export const agents = { 'doubler.v2': doubler('doubler.v2'), twice: doubler('twice') }

/** Every node kind, node options, a named function and expressions. */
export const everything = createWorkflow({
  id: 'everything',
  description: "every node kind, and 'quotes'",
  input: z.object({
    n: z.number().min(0).describe('a start value'),
    label: z.string().max(20).optional(),
    tags: z.array(z.enum(['a', 'b'])).default([]),
    when: z.iso.datetime().nullable(),
    extra: z.record(z.string(), z.union([z.string(), z.int()])),
  }),
  defaults: {
    retry: { attempts: 3, backoff: { type: 'fixed', initial: '1s', jitter: false } },
    timeout: '30s',
  },
})
  .map(expression<Num>('{ "n": n }'), { id: 'pick' })
  .then(steps.inc, { id: 'first', retry: { attempts: 2 }, timeout: 1500 })
  .then(workflows.child)
  .branch([
    [functions['everything/branch-1/when-0'], steps.square],
    [functions['everything/branch-1/when-1'], asNode(steps.inc, { timeout: '5s' })],
  ])
  .parallel({ a: steps.inc, 'b-side': asNode(steps.square, { id: 'square-b' }) })
  .map(namedFunction('shared/pair', functions['shared/pair']), { id: 'pair' })
  .foreach(steps.inc, { concurrency: 2, id: 'each' })
  .map(functions['everything/map-1'])
  .loop(steps.inc, { until: functions['everything/loop-1/until'], maxIterations: 7 })
  .branch([
    [expression('n > 10'), steps.square],
    [expression('true'), steps.inc],
  ])
  .sleep('2h')
  .sleep({ until: namedFunction('shared/wake-at', functions['shared/wake-at']) }, { id: 'nap' })
  .waitForEvent('payment.received', {
    schema: z.object({ orderId: z.string(), amount: z.number().optional() }),
    match: functions['everything/payment.received/match'],
    timeout: '7d',
  })
  .approval({ id: 'manager', schema: z.object({ limit: z.int() }), timeout: '2d' })
  .commit()

/** A declared output schema. */
export const totals = createWorkflow({
  id: 'totals',
  input: num,
  output: z.array(num),
})
  .map(functions['totals/map-1'])
  .foreach(steps.square, { concurrency: 4 })
  .commit()

/** Nested shapes the designer makes: sequences and single nodes where a step would be. */
export const nested = createWorkflow({ id: 'nested', input: num })
  .branch([
    [
      expression('n > 10'),
      sequence('review', (chain) =>
        chain.then(steps.inc).approval({ id: 'manager' }).map(expression<Num>('{ "n": 1 }')),
      ),
    ],
    [expression('true'), single((chain) => chain.sleep('5m'))],
  ])
  .parallel({
    left: sequence('left', (chain) => chain.then(steps.square).then(workflows.child)),
    right: steps.inc,
  })
  .then(sequence('tail', (chain) => chain.waitForEvent('done')))
  .commit()

/** Connector actions: with config, without, with node options, and where a step would be. */
export const notifying = createWorkflow({ id: 'notifying', input: num })
  .action(connectors['mail.v2'], 'count-words', {
    from: "o'hara@example.com",
    tags: ['a', 'b "c"'],
    limits: { perMinute: 1.5 },
  })
  .action(connectors.ping, 'ping')
  .action(connectors.ping, 'ping', undefined, { id: 'ping-again', timeout: '5s' })
  .parallel({
    mail: single((chain) =>
      chain.action(connectors['mail.v2'], 'send', { from: 'a@b.co' }, { retry: { attempts: 3 } }),
    ),
    plain: steps.inc,
  })
  .commit()

/** Agents: plain, with node options, twice (numbered id), and in a parallel. */
export const thinking = createWorkflow({ id: 'thinking', input: num })
  .agent(agents['doubler.v2'])
  .agent(agents.twice, { retry: { attempts: 2 }, timeout: '30s' })
  .agent(agents.twice, { id: 'twice-again' })
  .parallel({
    think: single((chain) => chain.agent(agents.twice)),
    plain: steps.inc,
  })
  .commit()
