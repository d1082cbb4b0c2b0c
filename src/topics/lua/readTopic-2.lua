--[[
  Reads a topic's partition count, the version of its group set and its groups, at one moment.

  Input (KEYS: the namedKeys line below): none

  Output:
    { partitions (0 for no topic), groups version, group names... }
]]
--- @include "keys"

local K = namedKeys('topic', 'groups')

local meta = redis.call('HMGET', K.topic, 'partitions', 'groups-version')
local out = { tonumber(meta[1]) or 0, tonumber(meta[2]) or 0 }
for _, g in ipairs(redis.call('SMEMBERS', K.groups)) do out[#out + 1] = g end
return out
