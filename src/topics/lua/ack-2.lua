--[[
  Acknowledges entries of one partition for a group: each one only when it is still the
  delivery the caller was handed, pending under the caller with the same delivery count (else
  it moved on: another member took the partition over, it was delivered again after its lease
  ran out, or it was settled).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3..] pairs: entry id, the delivery count it was handed out with

  Output:
    one 1 (acked) or 0 (no longer the caller's) per pair
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'retry')

local group, member = ARGV[1], ARGV[2]
local out = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  if isDelivery(K.log, group, id, member, ARGV[i + 1]) then
    redis.call('XACK', K.log, group, id)
    redis.call('ZREM', K.retry, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
