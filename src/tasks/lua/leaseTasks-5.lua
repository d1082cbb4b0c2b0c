--[[
  Leases up to `count` messages of a StreamBroker to a worker, after two steps that need no
  lock and no separate loop, on every topology:
    1. delayed sends and retries that are due become new entries (at most 1,000 a call);
    2. expired leases are recovered: each is claimed for the caller (XCLAIM: its delivery
       counted), or dead-lettered ("lease expired") when its deliveries reached its max.
  Then new entries fill the rest, each with a lease deadline (server clock) in the lease set.

  Input (KEYS: the namedKeys line below):
    ARGV[1] consumer (the worker)
    ARGV[2] count (1 to 10,000)
    ARGV[3] leaseMs
    ARGV[4] the broker's max attempts (for entries that carry none; 0: no limit)
    ARGV[5] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    ARGV[6] maxLength (0: a dead-lettered entry is deleted)
    ARGV[7..] pairs: task name, its max attempts as the worker registered it (for entries that
              carry none)

  What no broker wrote (an entry without its message or with fields that are no counts, a
  delay set member of another shape) is dead-lettered in place with the reason, the entry acked;
  a stream without its group gets the group (see readGroup).

  Output:
    { ms until the next lease expires or delayed message is due (-1: none), n dead,
      n triples (entry id, message, attempts) of messages dead-lettered now, n unreadable,
      n pairs (entry id or '' for a delay set member, the reason) dead-lettered as unreadable,
      then quads (entry id, attempt, delivery count, message) of the leased messages }
]]
--- @include "keys"
--- @include "tasks"
--- @include "chunks"

local K = namedKeys('stream', 'delay', 'lease', 'dead', 'marker')

local consumer = ARGV[1]
local count = toInteger(ARGV[2], 1, 10000)
local leaseMs = toInteger(ARGV[3], 1, 9007199254740991)
local defaultMax = toInteger(ARGV[4], 0, 9007199254740991)
local deadLimit, deadAge = deadCaps(ARGV[5])
local maxLength = toInteger(ARGV[6], 0, 9007199254740991)
if not count or not leaseMs or not defaultMax or not deadLimit or not maxLength or #ARGV % 2 ~= 0 then
  return grError('EINVAL', 'bad lease arguments')
end
local taskMax = {}
for i = 7, #ARGV, 2 do taskMax[ARGV[i]] = tonumber(ARGV[i + 1]) end

local now = serverNowMs()
local jobs, dead, bad = {}, {}, {}

-- Dead-letters what no broker wrote, in place, with the reason (returned for the worker's error events).
local function unreadableFound(id, raw, where, why)
  local reason = unreadable(where, why)
  deadLetterUnreadable(K.dead, deadLimit, deadAge, raw, reason, now)
  if id then
    redis.call('XACK', K.stream, GROUP, id)
    if maxLength == 0 then redis.call('XDEL', K.stream, id) end
  end
  bad[#bad + 1] = { id or '', reason }
end

-- 1. Due delayed messages become new entries.
local due = redis.call('ZRANGEBYSCORE', K.delay, '-inf', now, 'LIMIT', 0, 1000)
for _, member in ipairs(due) do
  local e, why = delayedOf(member)
  if e then appendEntry(K.stream, e) else unreadableFound(nil, member, 'delayed message', why) end
  redis.call('ZREM', K.delay, member)
end

-- 2. Expired leases: claimed for the caller, or dead-lettered out of attempts.
local expired = redis.call('ZRANGEBYSCORE', K.lease, '-inf', now, 'LIMIT', 0, count)
for _, id in ipairs(expired) do
  local owner, deliveries = pendingOf(K.stream, GROUP, id)
  local row = owner and redis.call('XRANGE', K.stream, id, id)[1]
  redis.call('ZREM', K.lease, id)
  if owner and not row then
    redis.call('XACK', K.stream, GROUP, id) -- its entry is gone: nothing to deliver
  elseif row then
    local e, why = entryOf(row[2])
    if not e then
      unreadableFound(id, row[2], 'entry ' .. id, why)
    else
      local used = e.a + deliveries
      local max = e.x > 0 and e.x or taskMax[e.t] or defaultMax
      if max > 0 and used >= max then
        deadLetter(K.dead, deadLimit, deadAge, e, 'lease expired', used, now)
        redis.call('XACK', K.stream, GROUP, id)
        if maxLength == 0 then redis.call('XDEL', K.stream, id) end
        dead[#dead + 1] = { id, e.m, used }
      else
        redis.call('XCLAIM', K.stream, GROUP, consumer, 0, id, 'RETRYCOUNT', deliveries + 1, 'JUSTID')
        redis.call('ZADD', K.lease, now + leaseMs, id)
        jobs[#jobs + 1] = { id, used + 1, deliveries + 1, e.m }
      end
    end
  end
end

-- 3. New entries for the rest.
local unread = false
if #jobs < count then
  local asked = count - #jobs
  local entries = readGroup(K.stream, consumer, asked)
  unread = #entries == asked
  local ids = {}
  for _, row in ipairs(entries) do
    local entry, why = entryOf(row[2])
    if entry then
      ids[#ids + 1] = row[1]
      jobs[#jobs + 1] = { row[1], entry.a + 1, 1, entry.m }
    else
      unreadableFound(row[1], row[2], 'entry ' .. row[1], why)
    end
  end
  zaddAll(K.lease, now + leaseMs, ids) -- one ZADD per 500 entries
end

-- Other idle workers may take what this call left. When it left nothing (it read fewer new
-- entries than it asked for, so none is unread; no more leases are due), the marker is stale:
-- cleared, so that an idle worker blocks instead of leasing nothing.
if #due > 0 or #expired == count or unread then
  signalWork(K.marker)
else
  redis.call('DEL', K.marker)
end

local out = { sooner(msUntilFirst(K.lease, now), msUntilFirst(K.delay, now)), #dead }
for _, d in ipairs(dead) do
  out[#out + 1] = d[1]
  out[#out + 1] = d[2]
  out[#out + 1] = d[3]
end
out[#out + 1] = #bad
for _, b in ipairs(bad) do
  out[#out + 1] = b[1]
  out[#out + 1] = b[2]
end
for _, j in ipairs(jobs) do
  for i = 1, 4 do out[#out + 1] = j[i] end
end
return out
