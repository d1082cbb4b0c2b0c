--[[
  Purges a group's dead letters of one partition: the given ones, or all.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] dead-letter ids (none: all)

  Output:
    how many were purged
]]
--- @include "keys"

local K = namedKeys('dead')

if #ARGV == 0 then
  local n = redis.call('XLEN', K.dead)
  redis.call('UNLINK', K.dead)
  return n
end
local n = 0
for i = 1, #ARGV, 1000 do
  n = n + redis.call('XDEL', K.dead, unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return n
