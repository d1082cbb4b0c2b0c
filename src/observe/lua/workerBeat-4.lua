--[[
  One Worker's heartbeat in the worker registry of its prefix: records (or removes, when it
  closes) what it is and what it runs, with the server's time; adds what it finished since its
  last beat to its object's totals; forgets workers silent for longer than their own horizon, at
  most 100 per call; answers whether the worker's object is paused.

  Input (KEYS: the namedKeys line below):
    ARGV[1] the worker id
    ARGV[2] its description (JSON)
    ARGV[3] its object, `family/name` (a field of the paused hash)
    ARGV[4] forget workers whose last beat is older than this, in ms
    ARGV[5] 1 when the worker leaves (closes), else 0
    ARGV[6] jobs completed since its last beat
    ARGV[7] jobs failed since its last beat (retried or dead)
    ARGV[8] jobs dead-lettered since its last beat

  Output:
    { server now (ms), 1 when the object is paused else 0 }
]]
--- @include "keys"
--- @include "errors"
--- @include "numbers"
--- @include "time"
--- @include "counts"

local K = namedKeys('info', 'beats', 'paused', 'totals')

local forgetMs = toInteger(ARGV[4], 1, 9007199254740991)
if forgetMs == nil then return grError('EINVAL', 'the forget horizon must be a positive whole number of ms') end
local now = serverNowMs()
local outcomes = { 'completed', 'failed', 'dead' }
for i = 1, 3 do
  local n = toInteger(ARGV[5 + i], 0, 9007199254740991)
  if n == nil then return grError('EINVAL', 'the counts since the last beat must be whole numbers, 0 or more') end
  if n > 0 then addToCounter(K.totals, outcomes[i] .. '|' .. ARGV[3], n) end
end
if ARGV[5] == '1' then
  redis.call('HDEL', K.info, ARGV[1])
  redis.call('ZREM', K.beats, ARGV[1])
else
  redis.call('HSET', K.info, ARGV[1], ARGV[2])
  redis.call('ZADD', K.beats, now, ARGV[1])
end
local gone = redis.call('ZRANGEBYSCORE', K.beats, '-inf', '(' .. (now - forgetMs), 'LIMIT', 0, 100)
if #gone > 0 then
  redis.call('ZREM', K.beats, unpack(gone))
  redis.call('HDEL', K.info, unpack(gone))
end
return { now, redis.call('HEXISTS', K.paused, ARGV[3]) }
