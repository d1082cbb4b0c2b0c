--[[
  Takes up to `count` messages from a ListQueueBroker's list (the oldest first), after moving
  due delayed messages onto it (at most 1,000 a call). Taking is final: a worker that dies
  holding a message loses it (at most once). A delay set member no broker wrote is
  dead-lettered in place with the reason.

  Input (KEYS: the namedKeys line below):
    ARGV[1] count (1 to 10,000)
    ARGV[2] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`

  Output:
    { ms until the next delayed message is due (-1: none), n unreadable, n reasons of the delay
      set members dead-lettered as unreadable, the messages... }
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('list', 'delay', 'dead', 'marker')

local count = toInteger(ARGV[1], 1, 10000)
local deadLimit, deadAge = deadCaps(ARGV[2])
if not count or not deadLimit then return grError('EINVAL', 'bad lease arguments') end
local now = serverNowMs()
local bad = {}
local due = redis.call('ZRANGEBYSCORE', K.delay, '-inf', now, 'LIMIT', 0, 1000)
for _, member in ipairs(due) do
  local e, why = delayedOf(member)
  if e then
    redis.call('LPUSH', K.list, e.m)
  else
    bad[#bad + 1] = unreadable('delayed message', why)
    deadLetterUnreadable(K.dead, deadLimit, deadAge, member, bad[#bad], now)
  end
  redis.call('ZREM', K.delay, member)
end
local out = { msUntilFirst(K.delay, now), #bad }
for _, reason in ipairs(bad) do out[#out + 1] = reason end
local taken = redis.call('RPOP', K.list, count)
if taken then
  for _, m in ipairs(taken) do out[#out + 1] = m end
end
if redis.call('LLEN', K.list) > 0 then signalWork(K.marker) else redis.call('DEL', K.marker) end
return out
