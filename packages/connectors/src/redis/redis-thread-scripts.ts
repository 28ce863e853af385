// The Lua scripts of the Redis store's conversation threads (run with the prelude of
// redis-scripts.ts in front, so `P` and `nextArg` are there). A thread is two keys:
// - thread:<id>, a hash: lastSeq, createdAt, updatedAt, and once summarised summary (JSON),
//   summaryThrough and summaryAt;
// - thread-messages:<id>, a list of the messages after the summary, oldest first, each the JSON
//   text `[createdAt,message]` written by JavaScript. A message's number is its place in the list
//   after summaryThrough (0 when there is no summary): the list always holds lastSeq -
//   summaryThrough entries, and the reader checks it.
// Every script checks before its first write, as the others do.

const keys = String.raw`
local function threadKey(id) return P .. 'thread:' .. id end
local function threadMessagesKey(id) return P .. 'thread-messages:' .. id end
`

/** Appends messages: [id, now, n, entry…]; answers the new lastSeq (the old one when n = 0). */
const appendThread = String.raw`${keys}
local id, now, n = nextArg(), nextArg(), nextInt()
local tk = threadKey(id)
if n == 0 then return redis.call('HGET', tk, 'lastSeq') or 0 end
local created = redis.call('EXISTS', tk) == 0
-- First, as it is the one write that can fail (a lastSeq that is not an integer).
local last = redis.call('HINCRBY', tk, 'lastSeq', n)
if created then redis.call('HSET', tk, 'createdAt', now) end
redis.call('HSET', tk, 'updatedAt', now)
local entries = {}
for i = 1, n do entries[i] = nextArg() end
for i = 1, n, 1000 do
  redis.call('RPUSH', threadMessagesKey(id), unpack(entries, i, math.min(i + 999, n)))
end
return last
`

/** The thread's hash and its messages, read at once: [hash, entries] or {}. */
const getThread = String.raw`${keys}
local id = nextArg()
local thread = redis.call('HGETALL', threadKey(id))
if #thread == 0 then return {} end
return { thread, redis.call('LRANGE', threadMessagesKey(id), 0, -1) }
`

/**
 * Sets a summary and trims the messages it replaces: [id, summary, throughSeq, now]; answers
 * 'summarized', 'stale', or { 'corrupt', field, value } (nothing written).
 */
const summarizeThread = String.raw`${keys}
local id, summary, through, now = nextArg(), nextArg(), nextArg(), nextArg()
local tk = threadKey(id)
local f = redis.call('HMGET', tk, 'lastSeq', 'summaryThrough')
if not f[1] then return 'stale' end
local last, done, upto = tonumber(f[1]), tonumber(f[2] or '0'), tonumber(through)
if not last then return { 'corrupt', 'lastSeq', f[1] } end
if not done then return { 'corrupt', 'summaryThrough', f[2] } end
if upto > last or upto <= done then return 'stale' end
redis.call('LTRIM', threadMessagesKey(id), upto - done, -1)
redis.call('HSET', tk, 'summary', summary, 'summaryThrough', through, 'summaryAt', now,
  'updatedAt', now)
return 'summarized'
`

/** Deletes a thread: [id]; answers 1 when it existed. */
const deleteThread = String.raw`${keys}
local id = nextArg()
local existed = redis.call('DEL', threadKey(id))
redis.call('DEL', threadMessagesKey(id))
return existed
`

/** The thread script bodies by name. */
export const threadScriptBodies = { appendThread, getThread, summarizeThread, deleteThread }
