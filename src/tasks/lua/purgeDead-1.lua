--[[
  Deletes dead letters: the named ones, or all of them.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] dead letter ids (none: all)

  Output:
    how many were deleted
]]
--- @include "keys"
--- @include "streams"

local K = namedKeys('dead')

return purgeEntries(K.dead, ARGV, 1)
