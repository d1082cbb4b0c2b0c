--[[
  A consumer's heartbeat: its last-heartbeat time becomes now. A consumer that was removed
  (reaped as dead, or its deliveries re-enqueued) registers again and is told so.

  Input (KEYS: the namedKeys line below):
    ARGV[1] consumer id
    ARGV[2] consumer info (JSON), for registering again

  Output:
    1: still registered; 0: it had been removed (its deliveries were taken), registered again
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('consumers', 'consumerInfo')

local consumer = ARGV[1]
if consumer == nil or consumer == '' then return grError('EINVAL', 'consumer id must be a non-empty string') end
local known = redis.call('ZSCORE', K.consumers, consumer)
redis.call('ZADD', K.consumers, serverNowMs(), consumer)
if known then return 1 end
redis.call('HSET', K.consumerInfo, consumer, ARGV[2])
return 0
