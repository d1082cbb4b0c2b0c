--[[
  Gives entries of one partition back after a failure: each one that is still the caller's
  delivery (pending under it with the same delivery count) waits in the group's retry set for its delay (still pending, so no other member takes
  it), or, when its next delivery would exceed maxAttempts, moves to the group's dead letters
  and is acked, in this one step.

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] delay in ms before it may be delivered again
    ARGV[4] maxAttempts (0: no limit; 1 dead-letters at once)
    ARGV[5] the error, kept with a dead letter
    ARGV[6] the group's dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    ARGV[7..] pairs: entry id, the delivery count it was handed out with

  Output:
    one "retry", "dead" or "lost" (no longer the caller's) per pair
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'retry', 'dead')

local group, member, err = ARGV[1], ARGV[2], ARGV[5]
local delay = toInteger(ARGV[3], 0, 9007199254740991)
local maxAttempts = toInteger(ARGV[4], 0, 9007199254740991)
local deadLimit, deadAge = deadCaps(ARGV[6])
if not delay or not maxAttempts or not deadLimit then return grError('EINVAL', 'bad nack arguments') end
local now = serverNowMs()
local out = {}
for i = 7, #ARGV, 2 do
  local id = ARGV[i]
  local owner, deliveries = pendingOf(K.log, group, id)
  if owner ~= member or tostring(deliveries) ~= ARGV[i + 1] then
    out[#out + 1] = 'lost'
  elseif maxAttempts > 0 and deliveries >= maxAttempts then
    local entry = redis.call('XRANGE', K.log, id, id)[1]
    deadLetter(K.log, K.retry, K.dead, deadLimit, deadAge, group, id, entry and entry[2], deliveries, err)
    out[#out + 1] = 'dead'
  else
    redis.call('ZADD', K.retry, now + delay, id)
    out[#out + 1] = 'retry'
  end
end
return out
