--[[
  Adds one item to a prioritized stream (psadd).

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    field base
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state
    KEYS[10] marker list     {name}:marker
    KEYS[11] stats hash      {name}:stats   fields added, pulled (expires 24 h after the last count)

    ARGV[1] key
    ARGV[2] value (encoded)
    ARGV[3] priority (finite double)
    ARGV[4] readd: 1 clears gating and cooldown first, 0 refuses a gated or cooling key
    ARGV[5] mode when the key is queued: sum | replace | max
    ARGV[6] delay: "" (none), "in:<ms>" or "at:<epoch ms>" (server clock); a delayed item waits
            in the delayed set and joins the stream when due

  Output:
    the item's new priority (string), or nil when rejected (dead, gated, cooling down, or in
    flight: leased or delayed)
]]
--- @include "includes/common"
--- @include "includes/jobs"
--- @include "includes/add-items"

local key = ARGV[1]
if key == nil or key == '' then return grError('EINVAL', 'key must be a non-empty string') end
if ARGV[2] == nil then return grError('EINVAL', 'value is missing') end
local priority = toFinite(ARGV[3])
if priority == nil then return grError('EINVAL', 'priority must be a finite number') end
local readd, mode = addFlags(ARGV[4], ARGV[5])
if readd == nil then return grError('EINVAL', mode) end
local delayUntil, delayError = delayArg(ARGV[6])
if delayUntil == false then return grError('EINVAL', delayError) end

local keys = { key }
local overflow = sumOverflow(keys, { priority }, mode)
if overflow then return grError('ERANGE', overflow) end
local blocked, dead = blockedItems(keys, readd)
local result = addGeneral(keys, { ARGV[2] }, { priority }, blocked, dead, mode, false, false, delayUntil)[1]
if result == 1 then return fmt(priority) end
return result
