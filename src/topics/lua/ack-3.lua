--[[
  Acknowledges entries of one partition for a group: each one only when it is still the
  delivery the caller was handed, pending under the caller with the same delivery count (else
  it moved on: another member took the partition over, it was delivered again after its lease
  ran out, or it was settled).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] the lowest id named, ARGV[4] the highest
    ARGV[5] the read epoch of the unit the ids are, when they are all of one unit from a fast
            read (guard-2.lua), or empty
    ARGV[6] the delivery count each id was handed out with, comma-separated
    ARGV[7..] the entry ids

  The fast check: when the epoch is still ARGV[5], nothing was read, claimed or given back in
  this partition for the group since that unit was read, so the group's pending entries are
  among the unit's, each still its first delivery to the caller. If the group then has exactly
  n pending entries, from the lowest id named to the highest, all the caller's, they are the
  named ids: all acked at once, without reading each one's delivery (a third of the cost).

  Output:
    n when every id was acked by the fast check, else one 1 (acked) or 0 (no longer the
    caller's) per id
]]
--- @include "keys"
--- @include "topic"
--- @include "chunks"

local K = namedKeys('log', 'own', 'retry')

local group, member, lo, hi = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local FIRST = 7
local n = #ARGV - FIRST + 1
if n < 1 then return {} end

-- Acks ids (ARGV[FIRST..] when none is given) in chunks, and takes them out of the retry set.
local function ackAll(ids)
  local list, from, to = ids or ARGV, ids and 1 or FIRST, ids and #ids or #ARGV
  for i = from, to, 1000 do
    redis.call('XACK', K.log, group, unpack(list, i, math.min(i + 999, to)))
  end
  if redis.call('ZCARD', K.retry) > 0 then
    for i = from, to, 1000 do
      redis.call('ZREM', K.retry, unpack(list, i, math.min(i + 999, to)))
    end
  end
end

-- Every delivery count 1, read as a whole: no character but 1 and commas, no 11.
local allFirst = not string.find(ARGV[6], '[^1,]') and not string.find(ARGV[6], '11', 1, true)
if ARGV[5] ~= '' and allFirst and redis.call('HGET', K.own, 'epoch') == ARGV[5] then
  local summary = groupPending(K.log, group) or { 0, false, false, {} }
  local consumers = summary[4]
  if summary[1] == n and summary[2] == lo and summary[3] == hi and #consumers == 1 and consumers[1][1] == member then
    ackAll(nil)
    return n
  end
end

local attempts = {}
for attempt in string.gmatch(ARGV[6], '[^,]+') do attempts[#attempts + 1] = attempt end
if #attempts ~= n then return grError('EINVAL', 'one delivery count per id') end

-- The caller's pending entries between the lowest and highest id named, in one read; an id the
-- read did not reach (other entries of the caller in between) is looked up on its own.
local deliveries = {}
-- (None when the group is gone from the log: a restore without its groups.)
local read = groupPending(K.log, group, lo, hi, n, member) or {}
for _, p in ipairs(read) do deliveries[p[1]] = tostring(p[4]) end
local out, acked = {}, {}
for i = 1, n do
  local id = ARGV[FIRST + i - 1]
  local count = deliveries[id]
  if not count and #read == n then
    local owner, d = pendingOf(K.log, group, id)
    if owner == member then count = tostring(d) end
  end
  if count == attempts[i] then
    acked[#acked + 1] = id
    out[i] = 1
  else
    out[i] = 0
  end
end
if #acked > 0 then ackAll(acked) end
return out
