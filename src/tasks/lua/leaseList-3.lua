--[[
  Takes up to `count` messages from a ListQueueBroker's list (the oldest first), after moving
  due delayed messages onto it (at most 1,000 a call). Taking is final: a worker that dies
  holding a message loses it (at most once).

  Input (KEYS: the namedKeys line below):
    ARGV[1] count (1 to 10,000)

  Output:
    { ms until the next delayed message is due (-1: none), the messages... }
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('list', 'delay', 'marker')

local count = toInteger(ARGV[1], 1, 10000)
if not count then return grError('EINVAL', 'bad lease arguments') end
local now = serverNowMs()
local due = redis.call('ZRANGEBYSCORE', K.delay, '-inf', now, 'LIMIT', 0, 1000)
for _, member in ipairs(due) do
  redis.call('LPUSH', K.list, delayedOf(member).m)
  redis.call('ZREM', K.delay, member)
end
local out = { msUntilFirst(K.delay, now) }
local taken = redis.call('RPOP', K.list, count)
if taken then
  for _, m in ipairs(taken) do out[#out + 1] = m end
end
if redis.call('LLEN', K.list) > 0 then signalWork(K.marker) else redis.call('DEL', K.marker) end
return out
