--[[
  Raises a topic's partition count, once the new partitions' streams exist with every group.
  Refused when the count is not above the current one (two racing increases never lower it);
  answers -1 (start again) when a group was added since the caller read the groups, for that
  group may be missing on the new partitions.

  Input (KEYS: the namedKeys line below):
    ARGV[1] the new count (1 to 1024)
    ARGV[2] the groups version the caller created the partitions for

  Output:
    the new count, or -1 to start again
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('topic')

local n = toInteger(ARGV[1], 1, 1024)
if n == nil then return grError('EINVAL', 'partitions must be an integer from 1 to 1024') end
local meta = redis.call('HMGET', K.topic, 'partitions', 'groups-version')
local current, bad = partitionCount(K.topic, meta[1])
if bad then return bad end
if not current then return grError('EINVAL', 'the topic does not exist') end
if n <= current then
  return grError('EINVAL', 'the topic has ' .. current .. ' partitions: an increase must ask for more, not ' .. n)
end
if tostring(tonumber(meta[2]) or 0) ~= ARGV[2] then return -1 end
redis.call('HSET', K.topic, 'partitions', n)
return n
