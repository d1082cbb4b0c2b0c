--[[
  Hands out up to `count` waiting values to one consumer: reaps one chunk of dead consumers'
  deliveries first, registers the consumer (its heartbeat), then moves values from the head
  into its holdings.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2] consumer id
    ARGV[3] consumer info (JSON: t = consumerTimeoutMs, h = host, p = pid, s = start)
    ARGV[4] count (1 to 10000)
    ARGV[5] call id (made by the client: a lost reply's deliveries can be handed back by it)
    ARGV[6] reaper chunk (1 to 10000)
    ARGV[7] rollback counters' time to live in ms (0: kept)

  Output:
    flat delivery id, value, rollback count triples, in hand-out order
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'rollbacks', 'rollbackTimes', 'marker', 'meta')

local kind = ARGV[1]
if kind ~= 'queue' and kind ~= 'unique' then return grError('EINVAL', 'kind must be queue or unique') end
local consumer, callId = ARGV[2], ARGV[5]
if consumer == nil or consumer == '' or string.find(consumer, '[|}]') then return grError('EINVAL', 'consumer id must be a non-empty string without | or }') end
local count = toInteger(ARGV[4], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
local chunk = toInteger(ARGV[6], 1, 10000)
if chunk == nil then return grError('EINVAL', 'the reaper chunk must be an integer from 1 to 10000') end
local rollbackTtl = toInteger(ARGV[7], 0, 9007199254740991)
if rollbackTtl == nil then return grError('EINVAL', 'rollbackTtlMs must be an integer >= 0') end
local bad = claimKind(K.meta, kind)
if bad then return bad end

local now = serverNowMs()
reap(K, kind == 'unique', 'dead', 0, 'requeue', chunk, now)
pruneRollbacks(K, now, rollbackTtl, chunk)

redis.call('ZADD', K.consumers, now, consumer)
redis.call('HSETNX', K.consumerInfo, consumer, ARGV[3])

local values = redis.call('RPOP', K.list, count)
if not values then
  redis.call('DEL', K.marker)
  return {}
end
-- Values left: the next idle consumer wakes too (a blocked BLPOP took the marker), and so on down the line.
if redis.call('LLEN', K.list) == 0 then redis.call('DEL', K.marker) else signalWork(K.marker) end
if kind == 'unique' then callChunked('SREM', K.unique, values) end

local last = nextInSequence(K.meta, 'dseq', #values)
local first = last - #values + 1
local scored, fields, out = {}, {}, {}
local counts = {}
if redis.call('EXISTS', K.rollbacks) == 1 then counts = callCollect('HMGET', K.rollbacks, values) end
for i = 1, #values do
  local id = consumer .. '|' .. string.format('%016d', first + i - 1) .. '|' .. callId
  scored[#scored + 1] = 0
  scored[#scored + 1] = id
  fields[#fields + 1] = id
  fields[#fields + 1] = now .. ':' .. values[i]
  out[#out + 1] = id
  out[#out + 1] = values[i]
  local c = counts[i]
  out[#out + 1] = c and tonumber(string.match(c, '^(%d+)')) or 0
end
callChunked('ZADD', K.held, scored)
callChunked('HSET', K.deliveries, fields)
return out
