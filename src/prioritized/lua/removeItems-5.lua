--[[
  Cancels jobs: each named key that is queued, leased or delayed leaves the stream with its
  value and job state (a leased one's later ack or nack answers ELEASE). Dead letters,
  gating and cooldowns are left alone.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] keys

  Output:
    the keys removed
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'scores', 'leases', 'delayed', 'state')

local keys = {}
for i = 1, #ARGV do keys[i] = ARGV[i] end
local found = inAnyOf({ K.scores, K.leases, K.delayed }, keys)
local removed, seen = {}, {}
for i = 1, #keys do
  if found[i] and not seen[keys[i]] then
    removed[#removed + 1] = keys[i]
    seen[keys[i]] = true -- a key named twice is removed once
  end
end
for _, set in ipairs({ K.scores, K.leases, K.delayed }) do callChunked('ZREM', set, removed) end
callChunked('HDEL', K.items, removed)
callChunked('HDEL', K.state, removed)
return removed
