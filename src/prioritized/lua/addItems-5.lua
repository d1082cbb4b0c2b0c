--[[
  Adds many items to a prioritized stream in input order (psaddmany), all or nothing:
  every triple is checked before the first write.

  Input:
    KEYS[1] items hash        {name}:t    key -> value
    KEYS[2] scores zset       {name}:s    key -> base - priority
    KEYS[3] gated set         {name}:exc
    KEYS[4] cooldowns zset    {name}:exp  key -> deadline (epoch ms, server clock)
    KEYS[5] meta hash         {name}:meta field base

    ARGV[1] readd: 1 | 0
    ARGV[2] mode when a key is queued: sum | replace | max
    ARGV[3 + 3i], ARGV[4 + 3i], ARGV[5 + 3i]  key, value, priority of item i (i from 0)

  Output:
    one entry per item: its new priority (string), or nil when rejected
]]
--- @include "includes/common"
--- @include "includes/add-one"

local readd, mode = addFlags(ARGV[1], ARGV[2])
if readd == nil then return grError('EINVAL', mode) end
local n = #ARGV - 2
if n % 3 ~= 0 then return grError('EINVAL', 'items must be key, value, priority triples') end

local priorities = {}
for i = 3, #ARGV, 3 do
  if ARGV[i] == '' then return grError('EINVAL', 'key must be a non-empty string') end
  local p = toFinite(ARGV[i + 2])
  if p == nil then return grError('EINVAL', 'priority must be a finite number') end
  priorities[#priorities + 1] = p
end

local now = serverNowMs()
local base = baseForAdd()
local out = {}
for j = 1, #priorities do
  local i = j * 3
  out[j] = addOne(ARGV[i], ARGV[i + 1], priorities[j], readd, mode, now, base)
end
return out
