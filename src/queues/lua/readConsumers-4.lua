--[[
  The consumers of a queue, least recently heard from first, each with what it holds.

  Input (KEYS: the namedKeys line below): none in ARGV

  Output:
    { now, id, last heartbeat, alive (1/0), held, oldest hand-out time (or -1), info JSON, ... }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('consumers', 'consumerInfo', 'held', 'deliveries')

local now = serverNowMs()
local consumers = redis.call('ZRANGE', K.consumers, 0, -1, 'WITHSCORES')
local out = { now }
for i = 1, #consumers, 2 do
  local id, heartbeat = consumers[i], consumers[i + 1]
  local low, high = heldRange(id)
  local held = redis.call('ZLEXCOUNT', K.held, low, high)
  local oldest = -1
  if held > 0 then
    local first = redis.call('ZRANGEBYLEX', K.held, low, high, 'LIMIT', 0, 1)[1]
    local stored = redis.call('HGET', K.deliveries, first)
    if stored then
      local _, at = splitDelivery(stored)
      oldest = at or -1
    end
  end
  out[#out + 1] = id
  out[#out + 1] = heartbeat
  out[#out + 1] = isDead(K.consumerInfo, id, heartbeat, now) and 0 or 1
  out[#out + 1] = held
  out[#out + 1] = oldest
  out[#out + 1] = redis.call('HGET', K.consumerInfo, id) or '{}'
end
return out
