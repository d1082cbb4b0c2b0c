--[[
  Sends messages to a StreamBroker's stream (creating it and its group at the beginning of
  history when missing), or, with a delay, to the delay set until due (server clock). An
  immediate send wakes an idle worker and trims the stream to maxLength, removing only
  acknowledged entries. Every message sent is counted in the stats hash (`added`).

  Input (KEYS: the namedKeys line below):
    ARGV[1] maxLength (0: no trim here; entries are deleted when acked)
    ARGV[2] delay in ms (0: now)
    ARGV[3..] triples: max attempts (0: unset), task name, encoded message

  Output:
    the entry ids, or the due time (server ms) of a delayed send
]]
--- @include "keys"
--- @include "tasks"
--- @include "counts"

local K = namedKeys('stream', 'delay', 'marker', 'stats')

local maxLength = toInteger(ARGV[1], 0, 9007199254740991)
local delayMs = toInteger(ARGV[2], 0, 9007199254740991)
if not maxLength or not delayMs or (#ARGV - 2) % 3 ~= 0 then return grError('EINVAL', 'bad send arguments') end
ensureGroup(K.stream)
countAdded(K.stats, (#ARGV - 2) / 3)
if delayMs > 0 then
  local due = serverNowMs() + delayMs
  for i = 3, #ARGV, 3 do
    redis.call('ZADD', K.delay, due, delayedMember({ m = ARGV[i + 2], a = 0, x = tonumber(ARGV[i]), t = ARGV[i + 1] }))
  end
  signalWork(K.marker) -- an idle worker looks again, and learns when this one is due
  return due
end
local ids = {}
for i = 3, #ARGV, 3 do
  ids[#ids + 1] = appendEntry(K.stream, { m = ARGV[i + 2], a = 0, x = tonumber(ARGV[i]), t = ARGV[i + 1] })
end
signalWork(K.marker)
if maxLength > 0 then trimSafely(K.stream, maxLength, false) end
return ids
