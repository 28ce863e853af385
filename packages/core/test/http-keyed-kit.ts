// The HTTP handler behind real API keys: one key per default role, a key with narrowed scopes
// and a key whose holder has only per-workflow grants, all made with createApiKeys on the
// engine's store and checked by apiKeyAuth. Shared by the authorisation matrix and the audit
// tests (also run on the SQLite and PostgreSQL stores from packages/connectors/test).
import { createEngine, createMemoryStore, type Engine, type StoreV1 } from '../src/index'
import {
  apiKeyAuth,
  createAccessControl,
  createApiKeys,
  createHttpHandler,
  defaultRoles,
  type HttpHandler,
} from '../src/http/index'
import {
  failingWorkflow,
  greetWorkflow,
  paymentWorkflow,
  reviewWorkflow,
  startFixtureRun,
  waitForRunStatus,
  webhookSecret,
  type HttpKit,
} from './http-kit'

/** Who calls: the five default roles, two special keys, and no credentials at all. */
export const callers = [
  'admin',
  'editor',
  'operator',
  'approver',
  'viewer',
  /** Role operator, scopes narrowed to `run:read`, `registry:read`, `definition:read`. */
  'narrowed',
  /** No role; grants on `review` and `pay*` only (`run:*`, `workflow:run`, `event:send`, `pii:read`). */
  'granted',
  'anonymous',
] as const
export type Caller = (typeof callers)[number]

/** The principal id behind each caller's key. */
export const principalOf: Record<Exclude<Caller, 'anonymous'>, string> = {
  admin: 'user:ada',
  editor: 'user:eve',
  operator: 'user:otto',
  approver: 'user:april',
  viewer: 'user:vic',
  narrowed: 'svc:reporting',
  granted: 'user:gina',
}

const keyInputs = {
  admin: { roles: ['admin'] },
  editor: { roles: ['editor'] },
  operator: { roles: ['operator'] },
  approver: { roles: ['approver'] },
  viewer: { roles: ['viewer'] },
  narrowed: { roles: ['operator'], scopes: ['run:read', 'registry:read', 'definition:read'] },
  granted: { roles: [] },
} as const

/**
 * Roles are the defaults. `pii:read` reveals masked run data; only `admin` (`*`) holds it
 * everywhere; approvers hold it on `review` (they must see the order they approve), and Gina's
 * grants give it to her on her workflows.
 */
export const matrixAccess = createAccessControl({
  roles: defaultRoles,
  grants: [
    {
      principal: principalOf.granted,
      workflows: ['review', 'pay*'],
      permissions: ['run:*', 'workflow:run', 'event:send', 'pii:read'],
    },
    { role: 'approver', workflows: ['review'], permissions: ['pii:read'] },
  ],
  masks: [
    { workflows: ['greet'], part: 'input', paths: ['name'], reveal: 'pii:read' },
    { workflows: ['greet'], part: ['output', 'step-output'], paths: ['email'], reveal: 'pii:read' },
    { workflows: ['review'], part: 'input', paths: ['orderId'], reveal: 'pii:read' },
  ],
})

/** The engine and the handler of a keyed kit, without keys (its `routes` is the route table). */
export function createKeyedHandler(store: StoreV1 = createMemoryStore()): {
  engine: Engine
  handler: HttpHandler
} {
  const engine = createEngine({
    store,
    workflows: [greetWorkflow, reviewWorkflow, paymentWorkflow, failingWorkflow],
  })
  const handler = createHttpHandler(engine, {
    auth: [apiKeyAuth({ store })],
    access: matrixAccess,
    webhooks: { orders: { workflowId: 'greet', secret: webhookSecret } },
    stream: { poll: 20, heartbeat: 1000 },
  })
  return { engine, handler }
}

/** An {@link HttpKit} whose `as` is a {@link Caller} (default `admin`), sent as its API key. */
export interface KeyedKit extends HttpKit {
  store: StoreV1
  tokens: Record<Exclude<Caller, 'anonymous'>, string>
  /** The key id behind each caller's token. */
  keyIds: Record<Exclude<Caller, 'anonymous'>, string>
}

/**
 * A fresh engine (memory store unless given), handler and keys. Requests come from
 * `203.0.113.7` (as an adapter would report the socket address).
 */
export async function createKeyedKit(store: StoreV1 = createMemoryStore()): Promise<KeyedKit> {
  const { engine, handler } = createKeyedHandler(store)
  const keys = createApiKeys(store)
  const tokens = {} as KeyedKit['tokens']
  const keyIds = {} as KeyedKit['keyIds']
  for (const [caller, input] of Object.entries(keyInputs)) {
    const name = caller as Exclude<Caller, 'anonymous'>
    const created = await keys.create({ principalId: principalOf[name], name, ...input })
    tokens[name] = created.token
    keyIds[name] = created.key.keyId
  }
  const request: HttpKit['request'] = (method, path, init = {}) => {
    const headers: Record<string, string> = { 'user-agent': 'matrix-test/1', ...init.headers }
    const as = init.as === undefined ? 'admin' : init.as
    if (as !== null && as !== 'anonymous') {
      const token = tokens[as as Exclude<Caller, 'anonymous'>]
      if (token === undefined) throw new Error(`no key for caller "${as}"`)
      headers.authorization = `Bearer ${token}`
    }
    let body: string | undefined = init.raw
    if (init.body !== undefined) body = JSON.stringify(init.body)
    if (body !== undefined) headers['content-type'] ??= 'application/json'
    return new Request(`http://tessera.test${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    })
  }
  const settled = (runId: string, status: string) => waitForRunStatus(store, runId, status)
  return {
    engine,
    store,
    handler,
    tokens,
    keyIds,
    request,
    call: (method, path, init) => handler(request(method, path, init), { ip: '203.0.113.7' }),
    run: (workflowId, input) => startFixtureRun(engine, workflowId, input),
    settled,
    close: () => engine.close(),
  }
}

/** The events of a `text/event-stream` body until `until` says stop (the body is cancelled). */
export async function readEvents(
  response: Response,
  until: (event: { event: string; data: unknown }) => boolean,
): Promise<{ event: string; id?: string; data: unknown }[]> {
  const events: { event: string; id?: string; data: unknown }[] = []
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return events
      buffer += value
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const fields = new Map<string, string>()
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':')
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart())
        }
        if (!fields.has('data')) continue
        const id = fields.get('id')
        const event = {
          event: fields.get('event') ?? 'message',
          ...(id !== undefined ? { id } : {}),
          data: JSON.parse(fields.get('data')!) as unknown,
        }
        events.push(event)
        if (until(event)) return events
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}
