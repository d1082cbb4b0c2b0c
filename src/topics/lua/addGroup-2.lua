--[[
  Adds a group to a topic's group set before the group is created on its partitions, bumping
  the set's version when the group is new (so a racing partition increase starts again and
  creates it on the new partitions too).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group

  Output:
    the partition count the group must be created on
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('topic', 'groups')

local n, bad = partitionCount(K.topic, redis.call('HGET', K.topic, 'partitions'))
if bad then return bad end
if not n then return grError('EINVAL', 'the topic does not exist') end
if redis.call('SADD', K.groups, ARGV[1]) == 1 then nextInSequence(K.topic, 'groups-version') end
return n
