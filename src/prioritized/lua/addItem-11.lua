--[[
  Adds one item to a prioritized stream (psadd).

  Input (KEYS: the namedKeys line below):
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
--- @include "keys"
--- @include "stream"
--- @include "jobs"
--- @include "add-items"

local K = namedKeys('items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats')

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
local overflow = sumOverflow(K, keys, { priority }, mode)
if overflow then return grError('ERANGE', overflow) end
local blocked, dead = blockedItems(K, keys, readd)
local result = addGeneral(K, keys, { ARGV[2] }, { priority }, blocked, dead, mode, false, false, delayUntil)[1]
if result == 1 then return fmt(priority) end
return result
