--[[
  Counts the queued items (pslen).

  Input (KEYS: the namedKeys line below):
  Output:
    the number of queued items
]]
--- @include "keys"

local K = namedKeys('scores')

return redis.call('ZCARD', K.scores)
