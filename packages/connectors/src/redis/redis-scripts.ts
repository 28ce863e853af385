// The Lua scripts of the Redis store. Every mutation is one script, so each is atomic and one
// round trip. Conventions:
// - KEYS[1] is the store's `meta` key (it routes the script; every other key shares its prefix,
//   which must be a hash tag under Redis Cluster). ARGV[1] is the full key prefix; the script
//   reads the rest of ARGV in order with nextArg().
// - Values are JSON strings written by JavaScript and never decoded here (Lua's cjson does not
//   round-trip JSON faithfully). Numbers travel as the strings JavaScript wrote; Lua only compares
//   them (tonumber) and never formats one (tostring would print 16-digit integers as 8.64e+15).
// - Strings are never compared with Lua's `<`: Redis sets LC_COLLATE from the environment, so
//   `before()` compares bytes, as sorted sets do.
// - A script checks everything before its first write: Redis does not roll a script back.
// - Absent optional values are sent as '' and not stored (HGET then answers false).
import { recordScriptBodies } from './redis-record-scripts'
import { threadScriptBodies } from './redis-thread-scripts'

/** Helpers shared by every script (prepended to each). */
const prelude = String.raw`
local P = ARGV[1]
local argi = 1
local function nextArg() argi = argi + 1 return ARGV[argi] end
local function nextInt() return tonumber(nextArg()) end

local terminal = { succeeded = true, failed = true, cancelled = true }

local function runKey(id) return P .. 'run:' .. id end
local function taskKey(id) return P .. 'task:' .. id end
local function runTasksKey(id) return P .. 'run-tasks:' .. id end
local function runScopesKey(id) return P .. 'run-scopes:' .. id end
local function stepsKey(id) return P .. 'steps:' .. id end
local function stepOrderKey(id) return P .. 'step-order:' .. id end
local function failedStepsKey(id) return P .. 'failed-steps:' .. id end
local function scopeKey(runId, key) return P .. 'scope:' .. #runId .. ':' .. runId .. ':' .. key end
local function waitFieldsKey(name) return P .. 'wait-fields:' .. name end
local function waitSetKey(name, matchKey) return P .. 'wait-key:' .. #name .. ':' .. name .. ':' .. matchKey end
local function inboxKey(name) return P .. 'inbox:' .. name end
local function eventKey(seq) return P .. 'event:' .. seq end
local READY, LEASES, SEQ = P .. 'ready', P .. 'leases', P .. 'seq'
local ENDED, ENDED_WFS, IDEM = P .. 'ended', P .. 'ended-wfs', P .. 'idem'
local INBOX_SEQ, INBOX_EXP = P .. 'inbox-seq', P .. 'inbox-exp'

-- Byte-wise a < b (the order of sorted-set members).
local function before(a, b)
  if a == b then return false end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- HSET in slices (unpack has a limit on the number of values).
local function hsetList(key, list)
  for i = 1, #list, 1000 do
    redis.call('HSET', key, unpack(list, i, math.min(i + 999, #list)))
  end
end

local function pairsToTable(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

-- Unresolved event waits: wait-fields:<name> counts waits per match-field set (its fields are
-- the distinct sets), wait-key:<name>:<matchKey> holds their task ids.
local function waitIndexAdd(id, name, fields, matchKey)
  if redis.call('SADD', waitSetKey(name, matchKey), id) == 1 then
    redis.call('HINCRBY', waitFieldsKey(name), fields, 1)
  end
end
local function waitIndexRemove(id, name, fields, matchKey)
  if redis.call('SREM', waitSetKey(name, matchKey), id) == 1 then
    if redis.call('HINCRBY', waitFieldsKey(name), fields, -1) <= 0 then
      redis.call('HDEL', waitFieldsKey(name), fields)
    end
  end
end

local function taskInfo(id)
  local f = redis.call('HMGET', taskKey(id), 'runId', 'wk', 'wn', 'wf', 'wm', 'res', 'parked',
    'leaseOwner', 'availableAt', 'key')
  if not f[1] then return nil end
  return { runId = f[1], wk = f[2], wn = f[3] or '', wf = f[4] or '[]', wm = f[5] or '{}',
    res = f[6], parked = f[7], leaseOwner = f[8], availableAt = f[9] or '0', key = f[10] or '' }
end
local function isOpenEventWait(t) return t.wk == 'event' and not t.res end

-- Removes a task from the claimable, lease and wait indexes.
local function unindexTask(id, t)
  redis.call('ZREM', READY, id)
  redis.call('ZREM', LEASES, id)
  if isOpenEventWait(t) then waitIndexRemove(id, t.wn, t.wf, t.wm) end
end

local function deleteTask(id)
  local t = taskInfo(id)
  if not t then return end
  unindexTask(id, t)
  redis.call('ZREM', runTasksKey(t.runId), id)
  redis.call('DEL', taskKey(id))
end

local function parkTask(id)
  local t = taskInfo(id)
  if not t or t.parked then return end
  unindexTask(id, t)
  redis.call('HSET', taskKey(id), 'parked', '1')
  redis.call('HDEL', taskKey(id), 'leaseOwner', 'leaseExpiresAt')
end

local function unparkTask(id)
  local t = taskInfo(id)
  if not t or not t.parked then return end
  redis.call('HDEL', taskKey(id), 'parked')
  redis.call('ZADD', READY, t.availableAt, id)
  if isOpenEventWait(t) then waitIndexAdd(id, t.wn, t.wf, t.wm) end
end

-- Sets a wait's resolution and makes the task available now.
local function resolveTask(id, res, now)
  local t = taskInfo(id)
  if isOpenEventWait(t) then waitIndexRemove(id, t.wn, t.wf, t.wm) end
  redis.call('HSET', taskKey(id), 'res', res, 'availableAt', now)
  if not t.parked and not t.leaseOwner then redis.call('ZADD', READY, now, id) end
end

local TASK_FIELDS = { 'id', 'runId', 'key', 'data', 'attempt', 'availableAt', 'fence',
  'leaseOwner', 'leaseExpiresAt', 'lastError', 'wk', 'wn', 'wf', 'wm', 'res', 'parked' }

local function readTasks()
  local tasks = {}
  for i = 1, nextInt() do
    local t = {}
    for _, field in ipairs(TASK_FIELDS) do t[field] = nextArg() end
    tasks[i] = t
  end
  return tasks
end

local function insertTask(t)
  local list = {}
  for _, field in ipairs(TASK_FIELDS) do
    if t[field] ~= '' then list[#list + 1] = field; list[#list + 1] = t[field] end
  end
  hsetList(taskKey(t.id), list)
  redis.call('ZADD', runTasksKey(t.runId), redis.call('INCR', SEQ), t.id)
  if t.parked == '' then
    if t.leaseOwner ~= '' then
      redis.call('ZADD', LEASES, t.leaseExpiresAt ~= '' and t.leaseExpiresAt or '0', t.id)
    else
      redis.call('ZADD', READY, t.availableAt, t.id)
    end
    if t.wk == 'event' and t.res == '' then waitIndexAdd(t.id, t.wn, t.wf, t.wm) end
  end
end

-- Tasks of the input that do not exist yet and are unresolved event waits (each id once).
local function newOpenEventWaits(tasks)
  local list, seen = {}, {}
  for _, t in ipairs(tasks) do
    if not seen[t.id] then
      seen[t.id] = true
      if t.wk == 'event' and t.res == '' and t.parked == ''
        and redis.call('EXISTS', taskKey(t.id)) == 0 then
        list[#list + 1] = t
      end
    end
  end
  return list
end

local function readScopes()
  local scopes = {}
  for i = 1, nextInt() do
    local s = { key = nextArg(), expected = nextArg(), completed = nextArg(), closed = nextArg(),
      items = nextArg(), results = {} }
    for j = 1, nextInt() do
      s.results[#s.results + 1] = 'r:' .. nextArg()
      s.results[#s.results + 1] = nextArg()
    end
    scopes[i] = s
  end
  return scopes
end

local function insertScope(runId, s)
  local sk = scopeKey(runId, s.key)
  if redis.call('EXISTS', sk) == 1 then return end
  local list = { 'expected', s.expected, 'completed', s.completed, 'closed', s.closed }
  if s.items ~= '' then list[#list + 1] = 'items'; list[#list + 1] = s.items end
  for _, v in ipairs(s.results) do list[#list + 1] = v end
  hsetList(sk, list)
  redis.call('ZADD', runScopesKey(runId), redis.call('INCR', SEQ), s.key)
end

-- Runs by creation: members 'createdAt(16 digits):id' in sorted sets of score 0 (lexicographic).
local function indexStatus(wf, m, old, new)
  if old == new then return end
  if old then
    redis.call('ZREM', P .. 'runs-st:' .. old, m)
    redis.call('ZREM', P .. 'runs-wfst:' .. old .. ':' .. wf, m)
  end
  redis.call('ZADD', P .. 'runs-st:' .. new, 0, m)
  redis.call('ZADD', P .. 'runs-wfst:' .. new .. ':' .. wf, 0, m)
end

local function setRunStatus(runId, new)
  local f = redis.call('HMGET', runKey(runId), 'status', 'wf', 'm')
  if not f[1] or f[1] == new then return end
  redis.call('HSET', runKey(runId), 'status', new)
  indexStatus(f[2], f[3], f[1], new)
end

-- Ended runs by endedAt (then id), globally and per workflow, for retention.
local function indexEnded(id, wf, score)
  redis.call('ZADD', ENDED, score, id)
  redis.call('ZADD', P .. 'ended-wf:' .. wf, score, id)
  redis.call('SADD', ENDED_WFS, wf)
end
local function unindexEnded(id, wf)
  redis.call('ZREM', ENDED, id)
  local key = P .. 'ended-wf:' .. wf
  redis.call('ZREM', key, id)
  if redis.call('ZCARD', key) == 0 then redis.call('SREM', ENDED_WFS, wf) end
end

-- A running or suspended run with tasks is suspended when every task is an unresolved wait.
local function deriveSuspension(runId)
  local status = redis.call('HGET', runKey(runId), 'status')
  if status ~= 'running' and status ~= 'suspended' then return end
  local ids = redis.call('ZRANGE', runTasksKey(runId), 0, -1)
  if #ids == 0 then return end
  local derived = 'suspended'
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', taskKey(id), 'wk', 'res')
    if not f[1] or f[2] then derived = 'running' break end
  end
  setRunStatus(runId, derived)
end

-- The inbox section of createRun, commit and reopenRun: what the caller read of the inbox
-- (its sequence number per event name), the resolution of each candidate event, and per new
-- wait its candidate events, oldest first (matched in JavaScript, which computes match keys).
local function readInbox()
  local inbox = { seqs = {}, res = {}, cands = {} }
  for i = 1, nextInt() do local name = nextArg(); inbox.seqs[name] = nextArg() end
  for i = 1, nextInt() do local seq = nextArg(); inbox.res[seq] = nextArg() end
  for i = 1, nextInt() do
    local id = nextArg()
    local cands = {}
    for j = 1, nextInt() do cands[j] = nextArg() end
    inbox.cands[id] = cands
  end
  return inbox
end

-- The inbox events of the names of these waits (for the caller to match), or nil when the
-- caller's view is current: it read every name with a non-empty inbox, and no event came since.
local function staleInbox(inbox, waits)
  local names, stale = {}, false
  for _, t in ipairs(waits) do
    if not names[t.wn] then
      names[t.wn] = true
      local seq = inbox.seqs[t.wn]
      if seq then
        if (redis.call('HGET', INBOX_SEQ, t.wn) or '0') ~= seq then stale = true end
      elseif redis.call('EXISTS', inboxKey(t.wn)) == 1 then
        stale = true
      end
    end
  end
  if not stale then return nil end
  local out = {}
  for name in pairs(names) do
    local events = {}
    for _, seq in ipairs(redis.call('ZRANGE', inboxKey(name), 0, -1)) do
      local f = redis.call('HMGET', eventKey(seq), 'id', 'payload', 'runId', 'expiresAt')
      if f[1] then events[#events + 1] = { seq, f[1], f[2] or '', f[3] or '', f[4] or '0' } end
    end
    out[#out + 1] = { name, redis.call('HGET', INBOX_SEQ, name) or '0', events }
  end
  return out
end

local function dropEvent(seq)
  local name = redis.call('HGET', eventKey(seq), 'name')
  if name then
    redis.call('ZREM', inboxKey(name), seq)
    if redis.call('EXISTS', inboxKey(name)) == 0 then redis.call('HDEL', INBOX_SEQ, name) end
  end
  redis.call('ZREM', INBOX_EXP, seq)
  redis.call('DEL', eventKey(seq))
end

-- Resolves new waits with the oldest candidate still in the inbox and unexpired.
local function takeFromInbox(inbox, waits, now, woken)
  for _, t in ipairs(waits) do
    for _, seq in ipairs(inbox.cands[t.id] or {}) do
      local expiresAt = redis.call('HGET', eventKey(seq), 'expiresAt')
      if expiresAt and tonumber(expiresAt) > tonumber(now) then
        dropEvent(seq)
        resolveTask(t.id, inbox.res[seq], now)
        woken[#woken + 1] = t.id
        break
      end
    end
  end
end

local function claim(id, owner, expiry)
  local tk = taskKey(id)
  redis.call('HINCRBY', tk, 'fence', 1)
  redis.call('HSET', tk, 'leaseOwner', owner, 'leaseExpiresAt', expiry)
  redis.call('ZREM', READY, id)
  redis.call('ZADD', LEASES, expiry, id)
  local f = redis.call('HMGET', tk, 'wk', 'runId')
  if f[1] and redis.call('HGET', runKey(f[2]), 'status') == 'suspended' then
    setRunStatus(f[2], 'running')
  end
  return redis.call('HGETALL', tk)
end
`

/** Checks the schema version; writes it on an empty prefix. */
const init = String.raw`
local version = redis.call('HGET', KEYS[1], 'schemaVersion')
if not version then
  redis.call('HSET', KEYS[1], 'schemaVersion', ARGV[2])
  return ARGV[2]
end
return version
`

const createRun = String.raw`
local id, wf, idem, m, status = nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
local data, output, err, updatedAt, endedAt, now =
  nextArg(), nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
local scopes = readScopes()
local tasks = readTasks()
local inbox = readInbox()
if idem ~= '' then
  local existing = redis.call('HGET', IDEM, #wf .. ':' .. wf .. ':' .. idem)
  if existing and redis.call('EXISTS', runKey(existing)) == 1 then
    return { 'exists', redis.call('HGETALL', runKey(existing)) }
  end
end
if redis.call('EXISTS', runKey(id)) == 1 then return { 'exists', redis.call('HGETALL', runKey(id)) } end
local ended = terminal[status]
local waits = {}
if not ended then waits = newOpenEventWaits(tasks) end
local stale = staleInbox(inbox, waits)
if stale then return { 'inbox', stale } end

local list = { 'id', id, 'data', data, 'status', status, 'updatedAt', updatedAt, 'wf', wf, 'm', m }
if output ~= '' then list[#list + 1] = 'output'; list[#list + 1] = output end
if err ~= '' then list[#list + 1] = 'error'; list[#list + 1] = err end
if endedAt ~= '' then list[#list + 1] = 'endedAt'; list[#list + 1] = endedAt end
if idem ~= '' then list[#list + 1] = 'idem'; list[#list + 1] = idem end
redis.call('HSET', runKey(id), unpack(list))
redis.call('ZADD', P .. 'runs', 0, m)
redis.call('ZADD', P .. 'runs-wf:' .. wf, 0, m)
indexStatus(wf, m, nil, status)
if idem ~= '' then redis.call('HSET', IDEM, #wf .. ':' .. wf .. ':' .. idem, id) end
for _, s in ipairs(scopes) do insertScope(id, s) end
local woken = {}
if ended then
  indexEnded(id, wf, endedAt ~= '' and endedAt or '0')
else
  local insertedWait = false
  for _, t in ipairs(tasks) do
    if redis.call('EXISTS', taskKey(t.id)) == 0 then
      insertTask(t)
      if t.wk ~= '' then insertedWait = true end
    end
  end
  takeFromInbox(inbox, waits, now, woken)
  if insertedWait then deriveSuspension(id) end
end
return { 'created', redis.call('HGET', runKey(id), 'status'), woken }
`

const claimTask = String.raw`
local id, owner, now, expiry = nextArg(), nextArg(), nextArg(), nextArg()
local f = redis.call('HMGET', taskKey(id), 'availableAt', 'leaseOwner', 'leaseExpiresAt', 'parked')
if not f[1] or f[4] then return { 'missing' } end
if tonumber(f[1]) > tonumber(now) then return { 'not-ready', f[1] } end
if f[2] and tonumber(f[3] or '0') > tonumber(now) then return { 'leased', f[3] } end
return { 'claimed', claim(id, owner, expiry) }
`

const renewTask = String.raw`
local id, fence, expiry = nextArg(), nextArg(), nextArg()
local f = redis.call('HMGET', taskKey(id), 'fence', 'leaseOwner', 'parked')
if not f[1] or tonumber(f[1]) ~= tonumber(fence) or f[3] then return 0 end
redis.call('HSET', taskKey(id), 'leaseExpiresAt', expiry)
if f[2] then redis.call('ZADD', LEASES, expiry, id) end
return 1
`

const commit = String.raw`
local runId, now = nextArg(), nextArg()
local hasTask, taskId, fence = nextArg() == '1', nextArg(), nextArg()
local hasRetry, attempt, availableAt, retryError = nextArg() == '1', nextArg(), nextArg(), nextArg()
local hasStep, stepKey, stepJson, stepFailed = nextArg() == '1', nextArg(), nextArg(), nextArg()
local scopes = readScopes()
local hasJoin, joinKey, joinIndex, joinOutput = nextArg() == '1', nextArg(), nextArg(), nextArg()
local hasClose, closeKey = nextArg() == '1', nextArg()
local tasks = readTasks()
local hasPatch, pStatus, pOutput, pError, pUpdatedAt, pEndedAt =
  nextArg() == '1', nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
local runnableAdded = nextArg() == '1'
local inbox = readInbox()

-- Checks, in the order of the port; nothing is written before they all pass.
local rk = runKey(runId)
local status = redis.call('HGET', rk, 'status')
if not status then return { 'not-found' } end
if terminal[status] then return { 'run-ended', redis.call('HGETALL', rk) } end
if hasTask then
  local f = redis.call('HMGET', taskKey(taskId), 'fence', 'parked')
  if not f[1] or tonumber(f[1]) ~= tonumber(fence) or f[2] then return { 'stale' } end
end
if hasStep and redis.call('HEXISTS', stepsKey(runId), stepKey) == 1 then return { 'duplicate' } end
if hasClose and redis.call('HGET', scopeKey(runId, closeKey), 'closed') ~= '0' then
  return { 'duplicate' }
end
if hasJoin and redis.call('EXISTS', scopeKey(runId, joinKey)) == 0 then
  return { 'error', 'Run "' .. runId .. '" has no scope "' .. joinKey .. '" to join' }
end
local final = status
if hasPatch and pStatus ~= '' then final = pStatus end
local waits = {}
if not terminal[final] then waits = newOpenEventWaits(tasks) end
local stale = staleInbox(inbox, waits)
if stale then return { 'inbox', stale } end

-- Writes.
if hasTask then
  if hasRetry then
    local tk = taskKey(taskId)
    redis.call('HSET', tk, 'attempt', attempt, 'availableAt', availableAt, 'lastError', retryError)
    redis.call('HDEL', tk, 'leaseOwner', 'leaseExpiresAt')
    redis.call('ZREM', LEASES, taskId)
    redis.call('ZADD', READY, availableAt, taskId)
  else
    deleteTask(taskId)
  end
end
if hasStep then
  redis.call('HSET', stepsKey(runId), stepKey, stepJson)
  redis.call('RPUSH', stepOrderKey(runId), stepKey)
  if stepFailed == '1' then redis.call('SADD', failedStepsKey(runId), stepKey) end
end
for _, s in ipairs(scopes) do insertScope(runId, s) end
local join = {}
if hasJoin then
  local sk = scopeKey(runId, joinKey)
  if redis.call('HSETNX', sk, 'r:' .. joinIndex, joinOutput) == 1 then
    redis.call('HINCRBY', sk, 'completed', 1)
  end
  local f = redis.call('HMGET', sk, 'expected', 'completed', 'closed')
  join = { joinKey, f[1], f[2], f[3] }
  if tonumber(f[1]) == tonumber(f[2]) then
    local results = {}
    local all = redis.call('HGETALL', sk)
    for i = 1, #all, 2 do
      if string.sub(all[i], 1, 2) == 'r:' then
        results[#results + 1] = string.sub(all[i], 3)
        results[#results + 1] = all[i + 1]
      end
    end
    join[5] = results
  end
end
if hasClose then redis.call('HSET', scopeKey(runId, closeKey), 'closed', '1') end
local insertedWait = false
for _, t in ipairs(tasks) do
  if redis.call('EXISTS', taskKey(t.id)) == 0 then
    insertTask(t)
    if t.wk ~= '' then insertedWait = true end
  end
end
local woken = {}
if not terminal[final] then takeFromInbox(inbox, waits, now, woken) end
if hasPatch then
  local list = { 'updatedAt', pUpdatedAt }
  if pOutput ~= '' then list[#list + 1] = 'output'; list[#list + 1] = pOutput end
  if pError ~= '' then list[#list + 1] = 'error'; list[#list + 1] = pError end
  if pEndedAt ~= '' then list[#list + 1] = 'endedAt'; list[#list + 1] = pEndedAt end
  redis.call('HSET', rk, unpack(list))
  if pStatus ~= '' then setRunStatus(runId, pStatus) end
end
if terminal[final] then
  local ids = redis.call('ZRANGE', runTasksKey(runId), 0, -1)
  for _, id in ipairs(ids) do
    if final == 'failed' then parkTask(id) else deleteTask(id) end
  end
  indexEnded(runId, redis.call('HGET', rk, 'wf'), redis.call('HGET', rk, 'endedAt') or '0')
elseif insertedWait or final == 'suspended' or (hasTask and not hasRetry and not runnableAdded) then
  deriveSuspension(runId)
end
return { 'committed', join, woken }
`

const claimNext = String.raw`
local owner, now, expiry, limit = nextArg(), nextArg(), nextArg(), nextInt()
local cands = {}
local ready = redis.call('ZRANGEBYSCORE', READY, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #ready, 2 do cands[#cands + 1] = { ready[i], tonumber(ready[i + 1]), #cands } end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', now, 'LIMIT', 0, limit)) do
  local at = redis.call('HGET', taskKey(id), 'availableAt')
  if at and tonumber(at) <= tonumber(now) then cands[#cands + 1] = { id, tonumber(at), #cands } end
end
table.sort(cands, function(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  return a[3] < b[3]
end)
local out = {}
for i = 1, math.min(limit, #cands) do out[i] = claim(cands[i][1], owner, expiry) end
return out
`

const listStaleTasks = String.raw`
local now, threshold, limit = nextArg(), nextArg(), nextInt()
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', READY, '-inf', threshold, 'LIMIT', 0, limit)) do
  out[#out + 1] = redis.call('HGETALL', taskKey(id))
end
if #out < limit then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', now, 'LIMIT', 0, limit - #out)) do
    out[#out + 1] = redis.call('HGETALL', taskKey(id))
  end
end
return out
`

const deliverEvent = String.raw`
local name, eventId, payload, eventRunId = nextArg(), nextArg(), nextArg(), nextArg()
local receivedAt, expiresAt, now, res = nextArg(), nextArg(), nextArg(), nextArg()
-- The caller computed the event's match key for each field set it read; refuse (the caller
-- reads again) if a wait with another field set registered since.
local known = {}
for i = 1, nextInt() do known[nextArg()] = true end
local current = redis.call('HKEYS', waitFieldsKey(name))
for _, fields in ipairs(current) do
  if not known[fields] then return { 'retry', current } end
end
local found = {}
for i = 1, nextInt() do
  local set = waitSetKey(name, nextArg())
  for _, id in ipairs(redis.call('SMEMBERS', set)) do
    local t = taskInfo(id)
    if not t then
      redis.call('SREM', set, id)
    elseif (eventRunId == '' or t.runId == eventRunId) and tonumber(t.availableAt) > tonumber(now)
      and not terminal[redis.call('HGET', runKey(t.runId), 'status') or 'failed'] then
      found[#found + 1] = { id, tonumber(redis.call('ZSCORE', runTasksKey(t.runId), id) or '0'), t.runId }
    end
  end
end
if #found > 0 then
  table.sort(found, function(a, b) return a[2] < b[2] end)
  local out = {}
  for i, f in ipairs(found) do
    resolveTask(f[1], res, now)
    if redis.call('HGET', runKey(f[3]), 'status') == 'suspended' then setRunStatus(f[3], 'running') end
    out[i] = redis.call('HGETALL', taskKey(f[1]))
  end
  return { 'delivered', out }
end
if tonumber(expiresAt) > tonumber(now) and tonumber(expiresAt) > tonumber(receivedAt) then
  local seq = redis.call('INCR', SEQ)
  local list = { 'id', eventId, 'name', name, 'receivedAt', receivedAt, 'expiresAt', expiresAt }
  if payload ~= '' then list[#list + 1] = 'payload'; list[#list + 1] = payload end
  if eventRunId ~= '' then list[#list + 1] = 'runId'; list[#list + 1] = eventRunId end
  redis.call('HSET', eventKey(seq), unpack(list))
  redis.call('ZADD', inboxKey(name), seq, seq)
  redis.call('ZADD', INBOX_EXP, expiresAt, seq)
  redis.call('HSET', INBOX_SEQ, name, seq)
  return { 'kept' }
end
return { 'dropped' }
`

const resolveWait = String.raw`
local runId, kind, hasName, name, hasKey, key, res, now =
  nextArg(), nextArg(), nextArg() == '1', nextArg(), nextArg() == '1', nextArg(), nextArg(), nextArg()
local rk = runKey(runId)
local status = redis.call('HGET', rk, 'status')
if not status then return { 'not-found' } end
if terminal[status] then return { 'run-ended', redis.call('HGETALL', rk) } end
local best, bestKey
for _, id in ipairs(redis.call('ZRANGE', runTasksKey(runId), 0, -1)) do
  local t = taskInfo(id)
  if t and t.wk == kind and not t.res and not t.parked and (not hasName or t.wn == name)
    and tonumber(t.availableAt) > tonumber(now) then
    if hasKey then
      if t.key == key then best = id break end
    elseif not best or before(t.key, bestKey) then
      best, bestKey = id, t.key
    end
  end
end
if not best then return { 'not-waiting' } end
resolveTask(best, res, now)
if status == 'suspended' then setRunStatus(runId, 'running') end
return { 'resolved', redis.call('HGETALL', taskKey(best)) }
`

const reopenRun = String.raw`
local runId, now = nextArg(), nextArg()
local tasks = readTasks()
local inbox = readInbox()
local rk = runKey(runId)
local status = redis.call('HGET', rk, 'status')
if not status then return { 'not-found' } end
if status ~= 'failed' then return { 'not-failed', redis.call('HGETALL', rk) } end
-- Replaced tasks count as new for the inbox: read which ones those are as if they were gone.
local waits, seen = {}, {}
for _, t in ipairs(tasks) do
  if not seen[t.id] then
    seen[t.id] = true
    if t.wk == 'event' and t.res == '' and t.parked == '' then waits[#waits + 1] = t end
  end
end
local stale = staleInbox(inbox, waits)
if stale then return { 'inbox', stale } end

for _, key in ipairs(redis.call('SMEMBERS', failedStepsKey(runId))) do
  redis.call('HDEL', stepsKey(runId), key)
  redis.call('LREM', stepOrderKey(runId), 0, key)
end
redis.call('DEL', failedStepsKey(runId))
for _, id in ipairs(redis.call('ZRANGE', runTasksKey(runId), 0, -1)) do unparkTask(id) end
seen = {}
for _, t in ipairs(tasks) do
  if not seen[t.id] then
    seen[t.id] = true
    -- A replaced task keeps the highest fence it had: a fence never goes back.
    local old = redis.call('HGET', taskKey(t.id), 'fence')
    if old and tonumber(old) > tonumber(t.fence) then t.fence = old end
    deleteTask(t.id)
    insertTask(t)
  end
end
local wf = redis.call('HGET', rk, 'wf')
setRunStatus(runId, 'running')
redis.call('HDEL', rk, 'error', 'output', 'endedAt')
redis.call('HSET', rk, 'updatedAt', now)
unindexEnded(runId, wf)
local woken = {}
takeFromInbox(inbox, waits, now, woken)
deriveSuspension(runId)
return { 'reopened', redis.call('HGETALL', rk) }
`

const purgeRuns = String.raw`
local now, hasBefore, endedBefore = nextArg(), nextArg() == '1', nextArg()
local hasKeep, keepLast, hasWf, wf, limit = nextArg() == '1', nextInt(), nextArg() == '1', nextArg(), nextInt()
-- Candidates of each rule, oldest first, at most limit of each; then the oldest limit of all.
local cands, seen = {}, {}
local function add(flat)
  for i = 1, #flat, 2 do
    if not seen[flat[i]] then
      seen[flat[i]] = true
      cands[#cands + 1] = { flat[i], tonumber(flat[i + 1]) }
    end
  end
end
if hasBefore then
  local key = hasWf and (P .. 'ended-wf:' .. wf) or ENDED
  add(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. endedBefore, 'WITHSCORES', 'LIMIT', 0, limit))
end
if hasKeep then
  local wfs = hasWf and { wf } or redis.call('SMEMBERS', ENDED_WFS)
  for _, w in ipairs(wfs) do
    local key = P .. 'ended-wf:' .. w
    local excess = redis.call('ZCARD', key) - keepLast
    if excess > 0 then add(redis.call('ZRANGE', key, 0, math.min(excess, limit) - 1, 'WITHSCORES')) end
  end
end
table.sort(cands, function(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  return before(a[1], b[1])
end)
local runs = 0
for i = 1, math.min(limit, #cands) do
  local id = cands[i][1]
  local rk = runKey(id)
  local f = redis.call('HMGET', rk, 'wf', 'm', 'status', 'idem')
  redis.call('ZREM', ENDED, id)
  if f[1] then
    for _, tid in ipairs(redis.call('ZRANGE', runTasksKey(id), 0, -1)) do deleteTask(tid) end
    for _, key in ipairs(redis.call('ZRANGE', runScopesKey(id), 0, -1)) do
      redis.call('DEL', scopeKey(id, key))
    end
    redis.call('DEL', runTasksKey(id), runScopesKey(id), stepsKey(id), stepOrderKey(id),
      failedStepsKey(id), rk)
    redis.call('ZREM', P .. 'runs', f[2])
    redis.call('ZREM', P .. 'runs-wf:' .. f[1], f[2])
    redis.call('ZREM', P .. 'runs-st:' .. f[3], f[2])
    redis.call('ZREM', P .. 'runs-wfst:' .. f[3] .. ':' .. f[1], f[2])
    if f[4] then
      local field = #f[1] .. ':' .. f[1] .. ':' .. f[4]
      if redis.call('HGET', IDEM, field) == id then redis.call('HDEL', IDEM, field) end
    end
    unindexEnded(id, f[1])
    runs = runs + 1
  end
end
local events = 0
for _, seq in ipairs(redis.call('ZRANGEBYSCORE', INBOX_EXP, '-inf', now)) do
  dropEvent(seq)
  events = events + 1
end
return { runs, events }
`

const getRun = String.raw`
return redis.call('HGETALL', runKey(nextArg()))
`

const listRuns = String.raw`
local n, min, max = nextInt(), nextArg(), nextArg()
local members = {}
local count = nextInt()
for i = 1, count do
  for _, m in ipairs(redis.call('ZREVRANGEBYLEX', P .. nextArg(), max, min, 'LIMIT', 0, n)) do
    members[#members + 1] = m
  end
end
if count > 1 then table.sort(members, function(a, b) return before(b, a) end) end
local out = {}
for i = 1, math.min(n, #members) do
  local run = redis.call('HGETALL', runKey(string.sub(members[i], 18)))
  if #run > 0 then out[#out + 1] = run end
end
return out
`

const getRunHistory = String.raw`
local id = nextArg()
local run = redis.call('HGETALL', runKey(id))
if #run == 0 then return {} end
local scopes = {}
for _, key in ipairs(redis.call('ZRANGE', runScopesKey(id), 0, -1)) do
  scopes[#scopes + 1] = { key, redis.call('HGETALL', scopeKey(id, key)) }
end
local tasks = {}
for _, tid in ipairs(redis.call('ZRANGE', runTasksKey(id), 0, -1)) do
  local task = redis.call('HGETALL', taskKey(tid))
  if #task > 0 then tasks[#tasks + 1] = task end
end
return { run, redis.call('LRANGE', stepOrderKey(id), 0, -1), redis.call('HGETALL', stepsKey(id)),
  scopes, tasks }
`

const getScope = String.raw`
local runId, key = nextArg(), nextArg()
return redis.call('HGETALL', scopeKey(runId, key))
`

/** The script bodies by name; each runs with the prelude in front (except `init`). */
export const scriptBodies = {
  ...threadScriptBodies,
  ...recordScriptBodies,
  init,
  createRun,
  claimTask,
  renewTask,
  commit,
  claimNext,
  listStaleTasks,
  deliverEvent,
  resolveWait,
  reopenRun,
  purgeRuns,
  getRun,
  listRuns,
  getRunHistory,
  getScope,
}

export type ScriptName = keyof typeof scriptBodies

/** The full text of a script. */
export function scriptText(name: ScriptName): string {
  return name === 'init' ? scriptBodies.init : prelude + scriptBodies[name]
}
