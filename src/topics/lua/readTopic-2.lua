--[[
  Reads a topic's partition count, the version of its group set and its groups, at one moment.

  Input (KEYS: the namedKeys line below): none

  Output:
    { partitions (0 for no topic), groups version, group names... }
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('topic', 'groups')

local meta = redis.call('HMGET', K.topic, 'partitions', 'groups-version')
local n, bad = partitionCount(K.topic, meta[1])
if bad then return bad end
local out = { n or 0, tonumber(meta[2]) or 0 }
for _, g in ipairs(redis.call('SMEMBERS', K.groups)) do out[#out + 1] = g end
return out
