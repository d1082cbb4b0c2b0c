--[[
  Gives back ListQueueBroker messages taken but never started: pushed back on the right, so
  they are the next taken, in the order given.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] encoded messages

  Output:
    the list's length
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('list', 'marker')

local n = redis.call('LLEN', K.list)
for i = #ARGV, 1, -1 do n = redis.call('RPUSH', K.list, ARGV[i]) end
if #ARGV > 0 then signalWork(K.marker) end
return n
