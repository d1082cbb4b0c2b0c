--[[
  Renews leases: each named lease gets the deadline now + leaseMs. All or nothing: a lease
  that is no longer held makes the reply ELEASE and changes nothing.

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

    ARGV[1] leaseMs (integer >= 1)
    ARGV[2..] key, leaseId pairs

  Output:
    the new deadline (epoch ms)
]]
--- @include "includes/common"
--- @include "includes/jobs"

local leaseMs = toInteger(ARGV[1], 1, 9007199254740991)
if leaseMs == nil then return grError('EINVAL', 'leaseMs must be an integer >= 1') end
if (#ARGV - 1) % 2 ~= 0 then return grError('EINVAL', 'leases must be key, leaseId pairs') end
local keys, _, _, lost = leasedPairs(2, false)
if #lost > 0 then return leaseLost(lost) end
local deadline = serverNowMs() + leaseMs
zaddAll(KEYS[6], deadline, keys)
return fmt(deadline)
