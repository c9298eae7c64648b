import { LuaScript } from './redis-connection';

/**
 * The state changes of a run, each one Lua script so that Redis applies it whole or not at all.
 *
 * Keys (prefix P = REDIS_KEY_PREFIX): `P run:<id>` (hash: state, input, owner, fence, ...),
 * `P run:<id>:steps` (hash: each finished step's response and its `<step>:meta`), `P leases`
 * (sorted set: unfinished run -> lease expiry in Redis milliseconds, 0 = free to claim),
 * `P runs` (sorted set of every run id, for listing), `P idem:<sha256>` (idempotency key -> id).
 *
 * Times come from Redis' own clock (TIME), so replicas with skewed clocks agree on leases.
 * Every write a worker makes checks the run's `fence`, which grows by one with each claim: a
 * worker that lost its lease (paused, partitioned) can no longer write, whatever it believes.
 * The idempotency key's name is kept in the run hash and expired with the run; Redis with
 * cluster mode disabled (the platform's ElastiCache) lets a script touch it without declaring it.
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Marks a run finished, frees its lease, expires its keys with the result TTL and tells the replicas. */
const CLOSE = `
local function close(run, steps, leases, id, ttl, channel)
  redis.call('ZREM', leases, id)
  redis.call('PEXPIRE', run, ttl)
  redis.call('PEXPIRE', steps, ttl)
  local idem = redis.call('HGET', run, 'idemKey')
  if idem then redis.call('PEXPIRE', idem, ttl) end
  redis.call('PUBLISH', channel, 'finished:' .. id)
end
`;

const FENCED = `
local function holds(run, fence)
  return redis.call('HGET', run, 'fence') == fence and redis.call('HGET', run, 'state') == 'running'
end
`;

/**
 * KEYS run, leases, index[, idem]; ARGV id, pipeline, input, inputSha, idempotencyKey, timeoutMs,
 * owner ('' leaves it queued), leaseMs, maxUnfinished, idemTtlMs, keyPrefix.
 * -> {'created', id, createdAt} | {'exists', id} | {'full', count}
 */
export const CREATE_RUN = new LuaScript(`${NOW}
if #KEYS >= 4 then
  local existing = redis.call('GET', KEYS[4])
  if existing and redis.call('EXISTS', ARGV[11] .. 'run:' .. existing) == 1 then return {'exists', existing} end
end
local unfinished = redis.call('ZCARD', KEYS[2])
if unfinished >= tonumber(ARGV[9]) then return {'full', tostring(unfinished)} end
local fields = {'id', ARGV[1], 'pipeline', ARGV[2], 'input', ARGV[3], 'inputSha', ARGV[4], 'createdAt', now,
  'deadlineAt', now + tonumber(ARGV[6]), 'fence', 0, 'claims', 0, 'released', 0}
if #KEYS >= 4 then
  table.insert(fields, 'idempotencyKey'); table.insert(fields, ARGV[5])
  table.insert(fields, 'idemKey'); table.insert(fields, KEYS[4])
end
if ARGV[7] ~= '' then
  for _, v in ipairs({'state', 'running', 'owner', ARGV[7], 'fence', 1, 'claims', 1, 'startedAt', now}) do table.insert(fields, v) end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[8]), ARGV[1])
else
  table.insert(fields, 'state'); table.insert(fields, 'queued')
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
end
redis.call('ZADD', KEYS[3], 0, ARGV[1])
if #KEYS >= 4 then redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[10]) end
return {'created', ARGV[1], tostring(now)}
`);

/**
 * KEYS leases, run, steps; ARGV id, owner, leaseMs, maxClaims, ttlMs, channel, abandonMessage.
 * -> {'claimed', fence, claims} | {'taken'} | {'gone'} | {'abandoned'}
 */
export const CLAIM_RUN = new LuaScript(`${NOW}${CLOSE}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > now then return {'taken'} end
local state = redis.call('HGET', KEYS[2], 'state')
if state ~= 'queued' and state ~= 'running' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {'gone'}
end
local claims = redis.call('HINCRBY', KEYS[2], 'claims', 1)
local released = tonumber(redis.call('HGET', KEYS[2], 'released') or '0')
if claims - released > tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[2], 'state', 'failed', 'finishedAt', now, 'owner', '', 'error', ARGV[7])
  close(KEYS[2], KEYS[3], KEYS[1], ARGV[1], ARGV[5], ARGV[6])
  return {'abandoned'}
end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('HSET', KEYS[2], 'owner', ARGV[2], 'state', 'running')
redis.call('HSETNX', KEYS[2], 'startedAt', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
return {'claimed', tostring(fence), tostring(claims)}
`);

/** KEYS leases, run; ARGV id, fence, leaseMs -> 1 while the lease is this worker's, else 0. */
export const RENEW_LEASE = new LuaScript(`${NOW}${FENCED}
if not holds(KEYS[2], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return 1
`);

/** KEYS run, steps, leases; ARGV id, fence, step, response, meta, leaseMs -> 1 saved, 0 lease lost. */
export const SAVE_STEP = new LuaScript(`${NOW}${FENCED}
if not holds(KEYS[1], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4], ARGV[3] .. ':meta', ARGV[5])
redis.call('ZADD', KEYS[3], 'XX', now + tonumber(ARGV[6]), ARGV[1])
return 1
`);

/**
 * KEYS run, steps, leases; ARGV id, fence, state, result, error, ttlMs, channel, step, stepMeta.
 * -> 1 finished, 0 lease lost.
 */
export const FINISH_RUN = new LuaScript(`${NOW}${FENCED}${CLOSE}
if not holds(KEYS[1], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'finishedAt', now, 'owner', '')
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[5]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[2], ARGV[8] .. ':meta', ARGV[9]) end
close(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[6], ARGV[7])
return 1
`);

/** KEYS run, steps, leases; ARGV id, error, ttlMs, channel -> {'cancelled'} | {'finished', state} | {'missing'} */
export const CANCEL_RUN = new LuaScript(`${NOW}${CLOSE}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
if state ~= 'queued' and state ~= 'running' then return {'finished', state} end
redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finishedAt', now, 'owner', '', 'error', ARGV[2])
close(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[3], ARGV[4])
return {'cancelled'}
`);

/** KEYS leases, run; ARGV id, fence -> 1 handed back (claimable at once), 0 not this worker's. */
export const RELEASE_RUN = new LuaScript(`${FENCED}
if not holds(KEYS[2], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], 'owner', '')
redis.call('HINCRBY', KEYS[2], 'released', 1)
redis.call('ZADD', KEYS[1], 'XX', 0, ARGV[1])
return 1
`);

/** KEYS leases; ARGV limit -> {claimable count, unfinished count, up to limit claimable ids...} */
export const CLAIMABLE_RUNS = new LuaScript(`${NOW}
local ids = redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
local out = {redis.call('ZCOUNT', KEYS[1], '-inf', now), redis.call('ZCARD', KEYS[1])}
for _, id in ipairs(ids) do table.insert(out, id) end
return out
`);
