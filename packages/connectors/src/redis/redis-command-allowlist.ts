/**
 * The commands that the Redis connector's `command` action runs: reads and writes of keys,
 * hashes, lists, sets, sorted sets, streams and HyperLogLogs. Left out on purpose: scripting
 * (EVAL, FUNCTION), server and configuration commands (CONFIG, FLUSHALL, FLUSHDB, SHUTDOWN,
 * DEBUG, ACL, MODULE), key-space walks (KEYS, SCAN: they ignore the key prefix), blocking
 * commands (BLPOP, XREAD BLOCK…), pub/sub subscriptions, MULTI/EXEC, MIGRATE, MOVE, SELECT,
 * SWAPDB and RENAME across prefixes.
 *
 * @example
 * ```ts
 * redisCommandAllowlist.includes('HINCRBY') // true
 * redisCommandAllowlist.includes('FLUSHALL') // false
 * ```
 */
export const redisCommandAllowlist = [
  // strings and keys
  'GET',
  'MGET',
  'SET',
  'MSET',
  'GETDEL',
  'GETEX',
  'GETRANGE',
  'SETRANGE',
  'STRLEN',
  'APPEND',
  'INCR',
  'INCRBY',
  'INCRBYFLOAT',
  'DECR',
  'DECRBY',
  'DEL',
  'UNLINK',
  'EXISTS',
  'EXPIRE',
  'PEXPIRE',
  'EXPIREAT',
  'PEXPIREAT',
  'PERSIST',
  'TTL',
  'PTTL',
  'TYPE',
  // hashes
  'HGET',
  'HMGET',
  'HGETALL',
  'HSET',
  'HSETNX',
  'HDEL',
  'HEXISTS',
  'HINCRBY',
  'HINCRBYFLOAT',
  'HKEYS',
  'HVALS',
  'HLEN',
  // lists
  'LPUSH',
  'RPUSH',
  'LPOP',
  'RPOP',
  'LRANGE',
  'LLEN',
  'LINDEX',
  'LSET',
  'LREM',
  'LTRIM',
  'LPOS',
  // sets
  'SADD',
  'SREM',
  'SMEMBERS',
  'SISMEMBER',
  'SMISMEMBER',
  'SCARD',
  'SPOP',
  'SRANDMEMBER',
  // sorted sets
  'ZADD',
  'ZREM',
  'ZSCORE',
  'ZMSCORE',
  'ZINCRBY',
  'ZCARD',
  'ZCOUNT',
  'ZRANGE',
  'ZRANGEBYSCORE',
  'ZREVRANGE',
  'ZRANK',
  'ZREVRANK',
  'ZREMRANGEBYSCORE',
  'ZPOPMIN',
  'ZPOPMAX',
  // streams
  'XADD',
  'XLEN',
  'XRANGE',
  'XREVRANGE',
  'XDEL',
  'XTRIM',
  // HyperLogLog
  'PFADD',
  'PFCOUNT',
  // pub/sub (publishing only)
  'PUBLISH',
] as const

/**
 * A command that the `command` action runs.
 *
 * @example
 * ```ts
 * const command: RedisAllowedCommand = 'ZADD'
 * ```
 */
export type RedisAllowedCommand = (typeof redisCommandAllowlist)[number]
