-- Helpers of the task queue scripts. They take the keys they use as parameters.
--
-- A StreamBroker entry has the fields m (the encoded message), a (deliveries used before this
-- entry, absent for 0) and x (its max attempts, absent for 0: the broker's). Its group is
-- `workers`. A delayed send or retry waits in the delay set as the member "<a>:<x>:<m>". A
-- dead letter (either broker) keeps m, x, error, attempts and diedAt.
--- @include "errors"
--- @include "numbers"
--- @include "time"
--- @include "marker"
--- @include "streams"

local GROUP = 'workers'

-- Creates the stream and its group at the beginning of history when the stream is missing, so
-- a message sent before any worker existed is delivered.
local function ensureGroup(streamKey)
  if redis.call('EXISTS', streamKey) == 0 then redis.call('XGROUP', 'CREATE', streamKey, GROUP, '0', 'MKSTREAM') end
end

-- A stream entry's message and counts: m, a (number), x (number).
local function entryOf(fields)
  local f = fieldMap(fields)
  return f.m, tonumber(f.a or '0'), tonumber(f.x or '0')
end

-- Appends a message to the stream as a new entry with a deliveries used and x max attempts.
local function appendEntry(streamKey, m, a, x)
  local entry = { 'm', m }
  if a > 0 then
    entry[#entry + 1] = 'a'
    entry[#entry + 1] = a
  end
  if x > 0 then
    entry[#entry + 1] = 'x'
    entry[#entry + 1] = x
  end
  return redis.call('XADD', streamKey, '*', unpack(entry))
end

-- The parts of a delay set member "<a>:<x>:<m>".
local function delayedOf(member)
  local c1 = string.find(member, ':', 1, true)
  local c2 = string.find(member, ':', c1 + 1, true)
  return string.sub(member, c2 + 1), tonumber(string.sub(member, 1, c1 - 1)), tonumber(string.sub(member, c1 + 1, c2 - 1))
end

-- The delivery count of an entry pending in the group, or nil when it is not pending.
local function deliveriesOf(streamKey, id)
  local p = redis.call('XPENDING', streamKey, GROUP, id, id, 1)[1]
  return p and tonumber(p[4]) or nil, p and p[2] or nil
end

-- Whether an entry is still the delivery a worker was handed: pending with the same delivery
-- count (a redelivery raised it).
local function isHeld(streamKey, id, deliveries)
  local count = deliveriesOf(streamKey, id)
  return count ~= nil and tostring(count) == deliveries
end

-- Appends a dead letter, keeping at most `limit` (the oldest go first).
local function deadLetter(deadKey, limit, m, x, err, attempts, now)
  redis.call('XADD', deadKey, 'MAXLEN', limit, '*', 'm', m, 'x', x, 'error', err, 'attempts', attempts, 'diedAt', now)
end

-- The ms until the earliest score of a sorted set, from now (0 when past), or -1 when empty.
local function msUntilFirst(zsetKey, now)
  local first = redis.call('ZRANGE', zsetKey, 0, 0, 'WITHSCORES')
  if #first == 0 then return -1 end
  return math.max(0, tonumber(first[2]) - now)
end

-- The smaller of two waits, -1 meaning none.
local function sooner(a, b)
  if a < 0 then return b end
  if b < 0 then return a end
  return math.min(a, b)
end
