--[[
  Gives ListQueueBroker messages back after a failure, as the worker decided per message:
  "retry" sends the message again (its attempt raised by the worker) after the delay, or at
  once; "dead" moves it to the dead letters with the error.

  Input (KEYS: the namedKeys line below):
    ARGV[1] delay in ms
    ARGV[2] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    ARGV[3] the error
    ARGV[4..] quads: "retry" or "dead", encoded message, attempts used, max attempts

  Output:
    one "retry" or "dead" per message
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('list', 'delay', 'dead', 'marker')

local delayMs = toInteger(ARGV[1], 0, 9007199254740991)
local deadLimit, deadAge = deadCaps(ARGV[2])
if not delayMs or not deadLimit or (#ARGV - 3) % 4 ~= 0 then return grError('EINVAL', 'bad nack arguments') end
local now = serverNowMs()
local out, pushed = {}, false
for i = 4, #ARGV, 4 do
  local action, m = ARGV[i], ARGV[i + 1]
  if action == 'dead' then
    deadLetter(K.dead, deadLimit, deadAge, { m = m, x = ARGV[i + 3], t = '' }, ARGV[3], ARGV[i + 2], now)
  elseif delayMs > 0 then
    redis.call('ZADD', K.delay, now + delayMs, delayedMember({ m = m, a = 0, x = 0, t = '' }))
    pushed = true -- an idle worker looks again, and learns when the retry is due
  else
    redis.call('LPUSH', K.list, m)
    pushed = true
  end
  out[#out + 1] = action
end
if pushed then signalWork(K.marker) end
return out
