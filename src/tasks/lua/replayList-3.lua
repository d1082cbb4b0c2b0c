--[[
  Moves dead letters back to a ListQueueBroker's list, each with its message re-encoded by the
  caller (attempts starting over). Each one is moved once (a dead letter already gone is
  skipped).

  Input (KEYS: the namedKeys line below):
    ARGV[1..] pairs: dead letter id, encoded message

  Output:
    how many were moved
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('dead', 'list', 'marker')

if #ARGV % 2 ~= 0 then return grError('EINVAL', 'bad replay arguments') end
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('XDEL', K.dead, ARGV[i]) == 1 then
    redis.call('LPUSH', K.list, ARGV[i + 1])
    n = n + 1
  end
end
if n > 0 then signalWork(K.marker) end
return n
