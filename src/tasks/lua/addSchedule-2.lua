--[[
  Adds or replaces a schedule (upsert by id) with its first due time, in one step.

  Input (KEYS: the namedKeys line below):
    ARGV[1] schedule id
    ARGV[2] the schedule as JSON
    ARGV[3] its first due time (server ms)

  Output:
    1 added, 0 replaced
]]
--- @include "keys"
--- @include "numbers"
--- @include "errors"

local K = namedKeys('sched', 'due')

local due = toInteger(ARGV[3], 0, 9007199254740991)
if not due then return grError('EINVAL', 'bad due time') end
local added = redis.call('HSET', K.sched, ARGV[1], ARGV[2])
redis.call('ZADD', K.due, due, ARGV[1])
return added
