--[[
  Finishes leased jobs: they leave the stream for good, with a cooldown and optional gating
  as for a pull. All or nothing: when any named lease is no longer held (it expired and was
  recovered, or was handed to another worker), nothing changes and the reply is ELEASE.

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    fields base, lseq
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker

    ARGV[1] gate: 1 | 0
    ARGV[2] cooldownMs (integer >= 0; 0: none)
    ARGV[3] absolute cooldown deadline in epoch ms, or "" (wins over ARGV[2])
    ARGV[4..] key, leaseId pairs

  Output:
    how many jobs were acknowledged
]]
--- @include "includes/common"
--- @include "includes/jobs"

if ARGV[1] ~= '0' and ARGV[1] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local cooldownMs = toInteger(ARGV[2], 0, 9007199254740991)
if cooldownMs == nil then return grError('EINVAL', 'cooldownMs must be an integer >= 0') end
local deadline = nil
if ARGV[3] ~= nil and ARGV[3] ~= '' then
  deadline = toFinite(ARGV[3])
  if deadline == nil then return grError('EINVAL', 'expireAt must be a finite number') end
end
if (#ARGV - 3) % 2 ~= 0 then return grError('EINVAL', 'leases must be key, leaseId pairs') end

local keys, _, _, lost = leasedPairs(4, false)
if #lost > 0 then return leaseLost(lost) end
if #keys == 0 then return 0 end

callChunked('ZREM', KEYS[6], keys)
callChunked('HDEL', KEYS[9], keys)
callChunked('HDEL', KEYS[1], keys)
if ARGV[1] == '1' then callChunked('SADD', KEYS[3], keys) end
setCooldowns(KEYS[4], keys, deadline, cooldownMs)
return #keys
