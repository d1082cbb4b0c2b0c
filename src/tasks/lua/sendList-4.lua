--[[
  Sends messages to a ListQueueBroker's list (pushed on the left, taken from the right: the
  oldest first), or, with a delay, to the delay set until due (server clock). Every message sent
  is counted in the stats hash (`added`).

  Input (KEYS: the namedKeys line below):
    ARGV[1] delay in ms (0: now)
    ARGV[2..] encoded messages

  Output:
    the list's length, or the due time (server ms) of a delayed send
]]
--- @include "keys"
--- @include "tasks"
--- @include "counts"

local K = namedKeys('list', 'delay', 'marker', 'stats')

local delayMs = toInteger(ARGV[1], 0, 9007199254740991)
if not delayMs then return grError('EINVAL', 'bad send arguments') end
countAdded(K.stats, #ARGV - 1)
if delayMs > 0 then
  local due = serverNowMs() + delayMs
  for i = 2, #ARGV do redis.call('ZADD', K.delay, due, delayedMember({ m = ARGV[i], a = 0, x = 0, t = '' })) end
  signalWork(K.marker) -- an idle worker looks again, and learns when this one is due
  return due
end
local n = 0
for i = 2, #ARGV, 1000 do n = redis.call('LPUSH', K.list, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
signalWork(K.marker)
return n
