--[[
  Hands a member the next messages of one partition it holds the lease of, in this order:
  entries pending under a member that no longer holds the lease (a takeover: that member is
  fenced), the holder's own entries whose message lease ran out (not those waiting in the retry
  set), due retries, then new entries. Claimed entries count a delivery; one whose delivery
  would exceed maxAttempts goes to the dead letters instead. Entries replayed for another group
  are acked and skipped.

  With ordering "partition" the partition hands out one unit at a time, in log order: while any
  entry of the group is pending, only the run of pending entries from the oldest on that may go
  now (a due retry, an expired lease, another member's) is handed out, and a retry that is not
  yet due, or an entry still in flight, holds the whole partition.

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] incarnation
    ARGV[4] the most entries to hand out (1 or more)
    ARGV[5] the member's message lease in ms: an entry pending under its holder this long (its
            idle time) has expired
    ARGV[6] maxAttempts (0: no limit)
    ARGV[7] ordering: partition | none
    ARGV[8] the lease of the entries handed out now, in ms (at most ARGV[5]: their idle time is
            set so that they expire after it)
    ARGV[9] the group's dead letters' caps, `<most kept>:<most age in ms, 0 for none>`

  Output:
    { "lost" } when the caller does not hold the partition's lease; else
    { "ok", wake in ms (-1: nothing to wait for), dead-lettered count, the partition's last
      entry id when fewer than asked were handed out ("" otherwise: an idle consumer waits for
      entries after it), the new entries as XREADGROUP returned them ({ id, fields } each,
      delivery 1), then the claimed entries: id1, deliveries1, fields1, id2, ... }
    The claimed entries come first in log order under 'partition' ordering (there are no new
    ones then).
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'own', 'retry', 'dead')

local group, member, incarnation = ARGV[1], ARGV[2], ARGV[3]
local count = toInteger(ARGV[4], 1, 100000)
local leaseMs = toInteger(ARGV[5], 1, 9007199254740991)
local maxAttempts = toInteger(ARGV[6], 0, 9007199254740991)
local ordering = ARGV[7]
local lease = toInteger(ARGV[8], 1, leaseMs or 1)
local deadLimit, deadAge = deadCaps(ARGV[9])
if not count or not leaseMs or not maxAttempts or not lease or not deadLimit then return grError('EINVAL', 'bad fetch arguments') end
if ordering ~= 'partition' and ordering ~= 'none' then return grError('EINVAL', 'ordering must be partition or none') end

local now = serverNowMs()
local holder = redis.call('HMGET', K.own, 'member', 'incarnation', 'until')
if holder[1] ~= member or holder[2] ~= incarnation or (tonumber(holder[3]) or 0) < now then return { 'lost' } end
-- A group gone from the partition's log (a restore without its groups, another program) is made
-- again at the start of what the log retains: its messages are delivered again (at least once).
local summary = groupPending(K.log, group)
if not summary then
  redis.call('XGROUP', 'CREATE', K.log, group, '0', 'MKSTREAM')
  summary = redis.call('XPENDING', K.log, group)
end
-- It may claim and read: a new read epoch (see guard-2.lua).
nextInSequence(K.own, 'epoch')

local out = { 'ok', -1, 0, '', false }
local handed = 0
local fresh = nil -- new entries read as a whole
local skipped = 0

local function wakeIn(ms)
  if ms < 0 then ms = 0 end
  if out[2] < 0 or ms < out[2] then out[2] = ms end
end

-- Hands out (or dead-letters, or skips) entries just read or claimed, `prior` their delivery
-- counts before (0 for new entries); `claimed` entries may be waiting in the retry set.
local function deliver(entries, prior, claimed)
  for _, e in ipairs(entries) do
    local id, fields = type(e) == 'table' and e[1], type(e) == 'table' and e[2]
    if id and fields then
      local attempts = (prior[id] or 0) + 1
      local forGroup = nil
      for i = 1, #fields, 2 do
        if fields[i] == 'g' then forGroup = fields[i + 1] end
      end
      if forGroup and forGroup ~= group then
        redis.call('XACK', K.log, group, id)
        if claimed then redis.call('ZREM', K.retry, id) end
        skipped = skipped + 1
      elseif maxAttempts > 0 and attempts > maxAttempts then
        deadLetter(K.log, K.retry, K.dead, deadLimit, deadAge, group, id, fields, attempts - 1, 'delivered ' .. (attempts - 1) .. ' times without being settled (maxAttempts ' .. maxAttempts .. ')')
        out[3] = out[3] + 1
      else
        if claimed then redis.call('ZREM', K.retry, id) end
        out[#out + 1] = id
        out[#out + 1] = attempts
        out[#out + 1] = fields
        handed = handed + 1
      end
    end
  end
end

-- Claims ids for the caller (counting a delivery) and hands them out.
local function claim(ids, prior)
  if #ids == 0 then return end
  deliver(redis.call('XCLAIM', K.log, group, member, 0, unpack(ids)), prior, true)
end

-- Shortens the leases of the entries handed out to `lease`, notes the partition's last entry
-- id when it had less to give than asked, and replies.
local function finish()
  if handed > 0 and lease < leaseMs then
    local ids = {}
    for i = 6, #out, 3 do ids[#ids + 1] = out[i] end
    for _, e in ipairs(fresh or {}) do ids[#ids + 1] = e[1] end
    ids[#ids + 1] = 'IDLE'
    ids[#ids + 1] = leaseMs - lease
    ids[#ids + 1] = 'JUSTID'
    redis.call('XCLAIM', K.log, group, member, 0, unpack(ids))
  end
  if handed < count then
    local last = redis.call('XREVRANGE', K.log, '+', '-', 'COUNT', 1)[1]
    out[4] = last and last[1] or '0-0'
  end
  if handed == 0 and (skipped > 0 or out[3] > 0) then out[2] = 0 end
  out[5] = fresh or {}
  return out
end

-- New entries: delivery 1 each, none in the retry set. They go out as the array XREADGROUP
-- returned (no copy), after the other entries, unless one was replayed for another group.
local function readNew(n)
  local read = redis.call('XREADGROUP', 'GROUP', group, member, 'COUNT', n, 'STREAMS', K.log, '>')
  local entries = read and read[1] and read[1][2]
  if not entries then return end
  for _, e in ipairs(entries) do
    local fields = e[2]
    for i = 7, #fields, 2 do
      if fields[i] == 'g' then
        deliver(entries, {}, false) -- one was replayed: go through them one by one
        return
      end
    end
  end
  fresh = entries
  handed = handed + #entries
end

if ordering == 'partition' then
  local pending = summary[1] > 0 and redis.call('XPENDING', K.log, group, '-', '+', count) or {}
  if #pending > 0 then
    local ids, prior = {}, {}
    for _, p in ipairs(pending) do
      local id, owner, idle = p[1], p[2], tonumber(p[3])
      local due = tonumber(redis.call('ZSCORE', K.retry, id))
      if due and due > now then
        wakeIn(due - now)
        break
      end
      if not due and owner == member and idle < leaseMs then
        wakeIn(leaseMs - idle)
        break
      end
      ids[#ids + 1] = id
      prior[id] = tonumber(p[4])
    end
    claim(ids, prior)
  else
    readNew(count)
  end
  return finish()
end

-- ordering "none"
-- 1. Takeovers: entries pending under members that no longer hold the lease.
for _, c in ipairs(summary[4] or {}) do
  if handed >= count then break end
  if c[1] ~= member then
    local ids, prior, waiting = {}, {}, {}
    for _, p in ipairs(redis.call('XPENDING', K.log, group, '-', '+', count - handed, c[1])) do
      local due = tonumber(redis.call('ZSCORE', K.retry, p[1]))
      if due and due > now then
        waiting[#waiting + 1] = p[1] -- moves to the caller, still waiting out its delay
      else
        ids[#ids + 1] = p[1]
        prior[p[1]] = tonumber(p[4])
      end
    end
    if #waiting > 0 then
      waiting[#waiting + 1] = 'JUSTID'
      redis.call('XCLAIM', K.log, group, member, 0, unpack(waiting))
    end
    claim(ids, prior)
  end
end
-- 2. The caller's own entries whose message lease ran out (not those waiting to be retried).
if handed < count then
  local scan = count - handed + math.min(redis.call('ZCARD', K.retry), 1000)
  local ids, prior = {}, {}
  for _, p in ipairs(redis.call('XPENDING', K.log, group, 'IDLE', leaseMs, '-', '+', scan, member)) do
    if #ids >= count - handed then break end
    if not redis.call('ZSCORE', K.retry, p[1]) then
      ids[#ids + 1] = p[1]
      prior[p[1]] = tonumber(p[4])
    end
  end
  claim(ids, prior)
end
-- 3. Due retries.
if handed < count then
  local ids, prior = {}, {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.retry, '-inf', now, 'LIMIT', 0, count - handed)) do
    local owner, deliveries = pendingOf(K.log, group, id)
    if owner then
      ids[#ids + 1] = id
      prior[id] = deliveries
    else
      redis.call('ZREM', K.retry, id) -- settled meanwhile
    end
  end
  claim(ids, prior)
end
-- 4. New entries.
if handed < count then readNew(count - handed) end
local nextRetry = redis.call('ZRANGE', K.retry, 0, 0, 'WITHSCORES')
if nextRetry[2] then wakeIn(tonumber(nextRetry[2]) - now) end
return finish()
