--[[
  Removes every key of one stream without blocking Redis (psdelete): UNLINK frees large
  values in the background.

  Input (KEYS: the namedKeys line below):
  Output:
    how many of the keys existed
]]
--- @include "keys"

local K = namedKeys('items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats')

return redis.call('UNLINK', unpack(KEYS))
