--[[
  Creates a topic with a partition count unless it exists; an existing topic keeps its count.

  Input (KEYS: the namedKeys line below):
    ARGV[1] partitions (1 to 1024)

  Output:
    the topic's partition count
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('topic')

local n = toInteger(ARGV[1], 1, 1024)
if n == nil then return grError('EINVAL', 'partitions must be an integer from 1 to 1024') end
local current, bad = partitionCount(K.topic, redis.call('HGET', K.topic, 'partitions'))
if bad then return bad end
if current then return current end
redis.call('HSET', K.topic, 'partitions', n, 'created', serverNowMs(), 'groups-version', 0)
return n
