--[[
  Reads one item's value (psget).

  Input (KEYS: the namedKeys line below):
    ARGV[1] key

  Output:
    the encoded value, or nil
]]
--- @include "keys"

local K = namedKeys('items')

return redis.call('HGET', K.items, ARGV[1])
