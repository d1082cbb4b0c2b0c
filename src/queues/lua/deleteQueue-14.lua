--[[
  Deletes every key of a queue or pool (delete()).

  Input (KEYS: the namedKeys line below): none in ARGV

  Output:
    how many of the keys existed
]]
--- @include "keys"

local K = namedKeys('list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'rollbacks', 'rollbackTimes', 'marker', 'meta', 'pool', 'poolLeases', 'poolReadded', 'poolMarker')

return redis.call('UNLINK', unpack(KEYS))
