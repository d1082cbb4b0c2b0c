--[[
  Removes a schedule and its due time, in one step.

  Input (KEYS: the namedKeys line below):
    ARGV[1] schedule id

  Output:
    1 removed, 0 there was none
]]
--- @include "keys"

local K = namedKeys('sched', 'due')

redis.call('ZREM', K.due, ARGV[1])
return redis.call('HDEL', K.sched, ARGV[1])
