--[[
  Rollback counters of values (canRollbackItem, resetBlockedItem).

  Input (KEYS: the namedKeys line below):
    ARGV[1] action: count | reset
    ARGV[2] the encoded value
    ARGV[3] maxRetry (count)
    ARGV[4] maxTimeoutMs (count)

  Output:
    count: 1 when the value may be rolled back again, 0 when its count exceeds maxRetry and its
    first rollback is at least maxTimeoutMs old (server clock); reset: 1 if there was a counter
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('rollbacks', 'rollbackTimes')

local action, value = ARGV[1], ARGV[2]
if value == nil then return grError('EINVAL', 'value is missing') end
if action == 'reset' then
  redis.call('ZREM', K.rollbackTimes, value)
  return redis.call('HDEL', K.rollbacks, value)
end
if action ~= 'count' then return grError('EINVAL', 'action must be count or reset') end
local maxRetry = toInteger(ARGV[3], 0, 9007199254740991)
local maxTimeoutMs = toInteger(ARGV[4], 0, 9007199254740991)
if maxRetry == nil or maxTimeoutMs == nil then return grError('EINVAL', 'maxRetry and maxTimeoutMs must be integers >= 0') end
local now = serverNowMs()
local count, first = nextRollback(redis.call('HGET', K.rollbacks, value), now)
redis.call('HSET', K.rollbacks, value, count .. ':' .. first)
redis.call('ZADD', K.rollbackTimes, now, value)
if count > maxRetry and now - first >= maxTimeoutMs then return 0 end
return 1
