// The Lua scripts of the Redis store's keyed records (run with the prelude of redis-scripts.ts
// in front, so `P` and `nextArg` are there). A collection is:
// - record:<length of collection>:<collection>:<key>, a hash per record: value (JSON text),
//   revision, createdAt, updatedAt;
// - records:<collection>, a sorted set of its keys, every score 0, so that ZRANGEBYLEX pages
//   them in byte order (the byte order of their UTF-8, as in every store).
// The collection's length in the record key keeps `a` + `b:c` apart from `a:b` + `c`. Every
// script checks before its first write, as the others do.

const keys = String.raw`
local function recordKey(c, k) return P .. 'record:' .. #c .. ':' .. c .. ':' .. k end
local function recordIndexKey(c) return P .. 'records:' .. c end
local function readRecord(c, k)
  return redis.call('HMGET', recordKey(c, k), 'value', 'revision', 'createdAt', 'updatedAt')
end
`

/**
 * Writes a record: [collection, key, value, now, expectRevision or '']; answers
 * { 'written', revision, createdAt }, { 'conflict' } (no record), { 'conflict', value,
 * revision, createdAt, updatedAt }, or { 'corrupt', field, value } (nothing written).
 */
const putRecord = String.raw`${keys}
local c, k, value, now, expect = nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
local current = readRecord(c, k)
local revision = 0
if current[2] then
  revision = tonumber(current[2])
  if not revision then return { 'corrupt', 'revision', current[2] } end
end
if expect ~= '' and tonumber(expect) ~= revision then
  if revision == 0 then return { 'conflict' } end
  return { 'conflict', current[1], current[2], current[3], current[4] }
end
local rk = recordKey(c, k)
local created = current[3] or now
redis.call('HSET', rk, 'value', value, 'createdAt', created, 'updatedAt', now)
local next = redis.call('HINCRBY', rk, 'revision', 1)
if revision == 0 then redis.call('ZADD', recordIndexKey(c), 0, k) end
return { 'written', next, created }
`

/** One record: [collection, key]; answers { value, revision, createdAt, updatedAt } or {}. */
const getRecord = String.raw`${keys}
local c, k = nextArg(), nextArg()
local found = readRecord(c, k)
if not found[2] then return {} end
return found
`

/**
 * A page of a collection: [collection, min, max, limit, 'reverse' or ''], min and max in
 * ZRANGEBYLEX syntax; answers { key, value, revision, createdAt, updatedAt, … } from one
 * moment.
 */
const listRecords = String.raw`${keys}
local c, min, max, limit, reverse = nextArg(), nextArg(), nextArg(), nextArg(), nextArg()
local members
if reverse == 'reverse' then
  members = redis.call('ZREVRANGEBYLEX', recordIndexKey(c), max, min, 'LIMIT', 0, limit)
else
  members = redis.call('ZRANGEBYLEX', recordIndexKey(c), min, max, 'LIMIT', 0, limit)
end
local out = {}
for _, k in ipairs(members) do
  local found = readRecord(c, k)
  out[#out + 1] = k
  for i = 1, 4 do out[#out + 1] = found[i] or '' end
end
return out
`

/** Deletes a record: [collection, key, expectRevision or '']; answers 1 when it did. */
const deleteRecord = String.raw`${keys}
local c, k, expect = nextArg(), nextArg(), nextArg()
local rk = recordKey(c, k)
local revision = redis.call('HGET', rk, 'revision')
if not revision then return 0 end
if expect ~= '' and tonumber(expect) ~= tonumber(revision) then return 0 end
redis.call('DEL', rk)
redis.call('ZREM', recordIndexKey(c), k)
return 1
`

/** The record script bodies by name. */
export const recordScriptBodies = { putRecord, getRecord, listRecords, deleteRecord }
