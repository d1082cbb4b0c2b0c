--[[
  Renews StreamBroker leases to `ms` from now (server clock), each only while it is still the
  delivery the worker was handed.

  Input (KEYS: the namedKeys line below):
    ARGV[1] ms
    ARGV[2..] pairs: entry id, delivery count

  Output:
    one 1 (renewed) or 0 (no longer held) per message
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('stream', 'lease')

local ms = toInteger(ARGV[1], 0, 9007199254740991)
if not ms or #ARGV % 2 ~= 1 then return grError('EINVAL', 'bad extend arguments') end
local deadline = serverNowMs() + ms
local out = {}
for i = 2, #ARGV, 2 do
  if isHeld(K.stream, ARGV[i], ARGV[i + 1]) then
    redis.call('ZADD', K.lease, deadline, ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
