--[[
  Extends the message leases of entries that are still the caller's deliveries to `ms` from now (their idle
  time becomes leaseMs - ms; the delivery count is kept).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] the message lease, leaseMs
    ARGV[4] ms from now (at most leaseMs)
    ARGV[5..] pairs: entry id, the delivery count it was handed out with

  Output:
    one 1 (extended) or 0 (no longer the caller's) per pair
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log')

local group, member = ARGV[1], ARGV[2]
local leaseMs = toInteger(ARGV[3], 1, 9007199254740991)
local ms = toInteger(ARGV[4], 0, 9007199254740991)
if not leaseMs or not ms or ms > leaseMs then return grError('EINVAL', 'an extension must be from 0 to leaseMs') end
local out = {}
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  if isDelivery(K.log, group, id, member, ARGV[i + 1]) then
    redis.call('XCLAIM', K.log, group, member, 0, id, 'IDLE', leaseMs - ms, 'JUSTID')
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
