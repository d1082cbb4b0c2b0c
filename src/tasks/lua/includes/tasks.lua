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

-- XREADGROUP of the queue's group. A stream that exists without the group (another program
-- wrote it with a plain XADD, or a restore or a migration brought it without its groups) gets
-- the group at the beginning of history first, so what it holds is delivered.
local function readGroup(streamKey, consumer, count)
  local read = redis.pcall('XREADGROUP', 'GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', streamKey, '>')
  if type(read) == 'table' and read.err then
    redis.call('XGROUP', 'CREATE', streamKey, GROUP, '0', 'MKSTREAM')
    read = redis.call('XREADGROUP', 'GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', streamKey, '>')
  end
  return read and read[1] and read[1][2] or {}
end

-- A whole count from a stored field (absent: 0), or nil when it holds anything else.
local function storedCount(s)
  return toInteger(s or '0', 0, 9007199254740991)
end

-- A message as the scripts move it: m (encoded), a (deliveries used before), x (its max
-- attempts, 0: unset) and t (its task name, '' when unknown). An entry no broker wrote (another
-- program's, a hand edit's) gives nil and why.
local function entryOf(fields)
  local f = fieldMap(fields)
  if f.m == nil then return nil, 'it has no message (field m)' end
  local a, x = storedCount(f.a), storedCount(f.x)
  if a == nil then return nil, 'its field a (deliveries used) is not a whole number' end
  if x == nil then return nil, 'its field x (max attempts) is not a whole number' end
  return { m = f.m, a = a, x = x, t = f.t or '' }
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

-- The message of a delay set member, or nil and why for a member no broker wrote.
local function delayedOf(member)
  local a, x, tl, rest = string.match(member, '^(%d+):(%d+):(%d+):(.*)$')
  if not rest then return nil, 'it is not <attempts>:<max>:<length>:<task><message>' end
  a, x, tl = storedCount(a), storedCount(x), storedCount(tl)
  if a == nil or x == nil or tl == nil or tl > #rest then return nil, 'it is not <attempts>:<max>:<length>:<task><message>' end
  return { a = a, x = x, t = string.sub(rest, 1, tl), m = string.sub(rest, tl + 1) }
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

-- The reason an unreadable entry or member is dead-lettered with: `where` it was found, and why.
local function unreadable(where, why)
  return 'unreadable ' .. where .. ': ' .. why
end

-- Dead-letters what a queue key held that no broker wrote (`raw`: the stream entry's fields, or
-- a delay set member), with the reason: its message as found (m, or the member; '' when none),
-- and the raw entry as JSON (field `entry`), so nothing of it is lost.
local function deadLetterUnreadable(deadKey, limit, maxAgeMs, raw, reason, now)
  local m, entry = raw, raw
  if type(raw) == 'table' then
    m, entry = fieldMap(raw).m or '', cjson.encode(raw)
  end
  redis.call('XADD', deadKey, '*', 'm', m, 'x', 0, 't', '', 'error', reason, 'attempts', 0, 'diedAt', now, 'entry', entry)
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
