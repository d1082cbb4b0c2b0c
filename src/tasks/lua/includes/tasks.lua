-- Helpers of the task queue scripts. They take the keys they use as parameters.
--
-- A StreamBroker entry has the fields m (the encoded message), t (its task name), a (deliveries
-- used before this entry, absent for 0) and x (its max attempts, absent for 0: its task's as
-- the worker registered it, else the broker's). Its group is `workers`. A delayed send or retry
-- waits in the delay set (see delayedMember). A dead letter (either broker) keeps m, x, t,
-- error, attempts and diedAt.
--- @include "errors"
--- @include "dead-letters"
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

-- A message as the scripts move it: m (encoded), a (deliveries used before), x (its max
-- attempts, 0: unset) and t (its task name, '' when unknown).
local function entryOf(fields)
  local f = fieldMap(fields)
  return { m = f.m, a = tonumber(f.a or '0'), x = tonumber(f.x or '0'), t = f.t or '' }
end

-- Appends a message to the stream as a new entry.
local function appendEntry(streamKey, e)
  local entry = { 'm', e.m }
  if e.t ~= '' then
    entry[#entry + 1] = 't'
    entry[#entry + 1] = e.t
  end
  if e.a > 0 then
    entry[#entry + 1] = 'a'
    entry[#entry + 1] = e.a
  end
  if e.x > 0 then
    entry[#entry + 1] = 'x'
    entry[#entry + 1] = e.x
  end
  return redis.call('XADD', streamKey, '*', unpack(entry))
end

-- A message as a delay set member: "<a>:<x>:<length of t>:<t><m>".
local function delayedMember(e)
  return e.a .. ':' .. e.x .. ':' .. #e.t .. ':' .. e.t .. e.m
end

-- The message of a delay set member.
local function delayedOf(member)
  local c1 = string.find(member, ':', 1, true)
  local c2 = string.find(member, ':', c1 + 1, true)
  local c3 = string.find(member, ':', c2 + 1, true)
  local tl = tonumber(string.sub(member, c2 + 1, c3 - 1))
  return {
    a = tonumber(string.sub(member, 1, c1 - 1)),
    x = tonumber(string.sub(member, c1 + 1, c2 - 1)),
    t = string.sub(member, c3 + 1, c3 + tl),
    m = string.sub(member, c3 + tl + 1),
  }
end

-- Whether an entry is still the delivery a worker was handed: pending with the same delivery
-- count (a redelivery raised it).
local function isHeld(streamKey, id, deliveries)
  local owner, count = pendingOf(streamKey, GROUP, id)
  return owner ~= nil and tostring(count) == deliveries
end

-- Appends a dead letter, then trims the dead letters to their caps (see deadCaps): at most
-- `limit` (the oldest go first), none older than `maxAgeMs` (0: no age cap).
local function deadLetter(deadKey, limit, maxAgeMs, e, err, attempts, now)
  redis.call('XADD', deadKey, '*', 'm', e.m, 'x', e.x, 't', e.t, 'error', err, 'attempts', attempts, 'diedAt', now)
  trimDead(deadKey, limit, maxAgeMs)
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
