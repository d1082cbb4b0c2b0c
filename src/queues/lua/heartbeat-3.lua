--[[
  A consumer's heartbeat: its last-heartbeat time becomes now. A consumer that was removed
  (reaped as dead, or its deliveries re-enqueued) registers again and is told so. Answers how
  many deliveries Redis holds for it, so that the consumer can tell when it holds one it no
  longer runs (an ack whose reply was lost, or one a failover lost: see releaseItems' stale mode).

  Input (KEYS: the namedKeys line below):
    ARGV[1] consumer id
    ARGV[2] consumer info (JSON), for registering again

  Output:
    { 1: still registered, 0: it had been removed (its deliveries were taken), registered again;
      how many deliveries are held for it }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('consumers', 'consumerInfo', 'held')

local consumer = ARGV[1]
if consumer == nil or consumer == '' then return grError('EINVAL', 'consumer id must be a non-empty string') end
local known = redis.call('ZSCORE', K.consumers, consumer)
redis.call('ZADD', K.consumers, serverNowMs(), consumer)
if not known then redis.call('HSET', K.consumerInfo, consumer, ARGV[2]) end
local low, high = heldRange(consumer)
return { known and 1 or 0, redis.call('ZLEXCOUNT', K.held, low, high) }
