--[[
  Deletes every key of a task queue (its messages, delays, leases, dead letters, schedules and stats).

  Input (KEYS: the namedKeys line below): none

  Output:
    how many keys existed
]]
--- @include "keys"

local K = namedKeys('stream', 'list', 'delay', 'lease', 'dead', 'marker', 'sched', 'due', 'stats')

return redis.call('DEL', K.stream, K.list, K.delay, K.lease, K.dead, K.marker, K.sched, K.due, K.stats)
