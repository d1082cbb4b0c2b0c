--[[
  Gives back entries handed to the caller that were never started: each one pending under the
  caller is due again at once (in the retry set) with its delivery count lowered by one, so the
  next fetch hands it out again, in order, without counting this delivery.

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3..] pairs: entry id, the delivery count it was handed out with

  Output:
    how many were given back
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'own', 'retry')

local group, member = ARGV[1], ARGV[2]
local now = serverNowMs()
local n = 0
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local owner, deliveries = pendingOf(K.log, group, id)
  if owner == member and tostring(deliveries) == ARGV[i + 1] then
    redis.call('XCLAIM', K.log, group, member, 0, id, 'RETRYCOUNT', math.max(deliveries - 1, 0), 'JUSTID')
    redis.call('ZADD', K.retry, now, id)
    n = n + 1
  end
end
if n > 0 then nextInSequence(K.own, 'epoch') end -- delivery counts changed (guard-2.lua)
return n
