--[[
  Finishes leased jobs: they leave the stream for good, with a cooldown and optional gating
  as for a pull. All or nothing: when any named lease is no longer held (it expired and was
  recovered, or was handed to another worker), nothing changes and the reply is ELEASE.

  Input (KEYS: the namedKeys line below):
    ARGV[1] gate: 1 | 0
    ARGV[2] cooldownMs (integer >= 0; 0: none)
    ARGV[3] absolute cooldown deadline in epoch ms, or "" (wins over ARGV[2])
    ARGV[4..] key, leaseId pairs

  Output:
    how many jobs were acknowledged
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'gated', 'cooldowns', 'leases', 'state')

if ARGV[1] ~= '0' and ARGV[1] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local cooldownMs = toInteger(ARGV[2], 0, 9007199254740991)
if cooldownMs == nil then return grError('EINVAL', 'cooldownMs must be an integer >= 0') end
local deadline = optionalFinite(ARGV[3])
if deadline == false then return grError('EINVAL', 'expireAt must be a finite number') end
if (#ARGV - 3) % 2 ~= 0 then return grError('EINVAL', 'leases must be key, leaseId pairs') end

local keys, _, _, lost = leasedPairs(K.state, 4, false)
if #lost > 0 then return leaseLost(lost) end
if #keys == 0 then return 0 end

callChunked('ZREM', K.leases, keys)
callChunked('HDEL', K.state, keys)
callChunked('HDEL', K.items, keys)
if ARGV[1] == '1' then callChunked('SADD', K.gated, keys) end
setCooldowns(K.cooldowns, keys, deadline, cooldownMs)
return #keys
