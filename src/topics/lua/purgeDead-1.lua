--[[
  Purges a group's dead letters of one partition: the given ones, or all.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] dead-letter ids (none: all)

  Output:
    how many were purged
]]
--- @include "keys"
--- @include "streams"

local K = namedKeys('dead')

return purgeEntries(K.dead, ARGV, 1)
