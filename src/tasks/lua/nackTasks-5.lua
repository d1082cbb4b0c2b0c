--[[
  Gives StreamBroker messages back after a failure, each only while it is still the delivery
  the worker was handed: out of attempts, to the dead letters with the error; else, with a
  delay, to the delay set (it returns as a new entry, attempts kept), or at once as a new
  entry. The old entry is acknowledged.

  Input (KEYS: the namedKeys line below):
    ARGV[1] delay in ms
    ARGV[2] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    ARGV[3] maxLength (0: the old entry is deleted)
    ARGV[4] the error
    ARGV[5..] triples: entry id, delivery count, max attempts (0: no limit)

  Output:
    one "retry", "dead" or "lost" (no longer held: nothing changed) per message
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('stream', 'delay', 'lease', 'dead', 'marker')

local delayMs = toInteger(ARGV[1], 0, 9007199254740991)
local deadLimit, deadAge = deadCaps(ARGV[2])
local maxLength = toInteger(ARGV[3], 0, 9007199254740991)
if not delayMs or not deadLimit or not maxLength or (#ARGV - 4) % 3 ~= 0 then return grError('EINVAL', 'bad nack arguments') end
local err = ARGV[4]
local now = serverNowMs()
local out, retried = {}, false
for i = 5, #ARGV, 3 do
  local id, max = ARGV[i], tonumber(ARGV[i + 2])
  local row = isHeld(K.stream, id, ARGV[i + 1]) and redis.call('XRANGE', K.stream, id, id)[1]
  if not row then
    out[#out + 1] = 'lost'
  else
    local e, why = entryOf(row[2])
    local used = e and e.a + tonumber(ARGV[i + 1])
    if not e then
      -- Entries are never changed once written, so the lease read this one whole; kept safe all the same.
      deadLetterUnreadable(K.dead, deadLimit, deadAge, row[2], unreadable('entry ' .. id, why), now)
      out[#out + 1] = 'dead'
    elseif max > 0 and used >= max then
      deadLetter(K.dead, deadLimit, deadAge, e, err, used, now)
      out[#out + 1] = 'dead'
    elseif delayMs > 0 then
      e.a = used
      redis.call('ZADD', K.delay, now + delayMs, delayedMember(e))
      retried = true -- an idle worker looks again, and learns when the retry is due
      out[#out + 1] = 'retry'
    else
      e.a = used
      appendEntry(K.stream, e)
      retried = true
      out[#out + 1] = 'retry'
    end
    redis.call('XACK', K.stream, GROUP, id)
    redis.call('ZREM', K.lease, id)
    if maxLength == 0 then redis.call('XDEL', K.stream, id) end
  end
end
if retried then signalWork(K.marker) end
return out
