--[[
  Gives back StreamBroker messages that were leased but never started: each one still held is
  due again at once (its lease deadline now) with its delivery count lowered by one, so the
  next lease claims it again without counting this delivery.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] pairs: entry id, delivery count

  Output:
    how many were given back
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('stream', 'lease', 'marker')

if #ARGV % 2 ~= 0 then return grError('EINVAL', 'bad release arguments') end
local now = serverNowMs()
local n = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  local owner, deliveries = pendingOf(K.stream, GROUP, id)
  if owner and tostring(deliveries) == ARGV[i + 1] then
    redis.call('XCLAIM', K.stream, GROUP, owner, 0, id, 'RETRYCOUNT', math.max(deliveries - 1, 0), 'JUSTID')
    redis.call('ZADD', K.lease, now, id)
    n = n + 1
  end
end
if n > 0 then signalWork(K.marker) end
return n
