--[[
  Renews leases: each named lease gets the deadline now + leaseMs. All or nothing: a lease
  that is no longer held makes the reply ELEASE and changes nothing.

  Input (KEYS: the namedKeys line below):
    ARGV[1] leaseMs (integer >= 1)
    ARGV[2..] key, leaseId pairs

  Output:
    the new deadline (epoch ms)
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('leases', 'state')

local leaseMs = toInteger(ARGV[1], 1, 9007199254740991)
if leaseMs == nil then return grError('EINVAL', 'leaseMs must be an integer >= 1') end
if (#ARGV - 1) % 2 ~= 0 then return grError('EINVAL', 'leases must be key, leaseId pairs') end
local keys, _, _, lost = leasedPairs(K.state, 2, false)
if #lost > 0 then return leaseLost(lost) end
local deadline = serverNowMs() + leaseMs
zaddAll(K.leases, deadline, keys)
return fmt(deadline)
