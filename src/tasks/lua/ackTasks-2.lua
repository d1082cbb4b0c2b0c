--[[
  Acknowledges StreamBroker messages: each one only while it is still the delivery the worker
  was handed (pending with the same delivery count), else it answers 0 and changes nothing.
  Then trims the stream to maxLength, removing only acknowledged entries (exactly, at most
  1,000 a call), or, with maxLength 0, deletes each acked entry.

  Input (KEYS: the namedKeys line below):
    ARGV[1] maxLength
    ARGV[2..] pairs: entry id, delivery count

  Output:
    one 1 (acked) or 0 (no longer held) per message
]]
--- @include "keys"
--- @include "tasks"
--- @include "chunks"

local K = namedKeys('stream', 'lease')

local maxLength = toInteger(ARGV[1], 0, 9007199254740991)
if not maxLength or #ARGV % 2 ~= 1 then return grError('EINVAL', 'bad ack arguments') end
local out, acked, seen = {}, {}, {}
for i = 2, #ARGV, 2 do
  local id = ARGV[i]
  if not seen[id] and isHeld(K.stream, id, ARGV[i + 1]) then
    seen[id] = true
    acked[#acked + 1] = id
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
-- One XACK, ZREM (and XDEL) per 1,000 messages, not one per message.
if #acked > 0 then
  callChunkedAfter('XACK', K.stream, GROUP, acked)
  callChunked('ZREM', K.lease, acked)
  if maxLength == 0 then callChunked('XDEL', K.stream, acked) end
end
if maxLength > 0 then trimSafely(K.stream, maxLength, false) end
return out
