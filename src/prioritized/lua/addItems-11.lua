--[[
  Adds many items to a prioritized stream in input order (psaddmany), all or nothing:
  every argument is checked before the first write. A key listed twice behaves as two adds
  in a row.

  Input (KEYS: the namedKeys line below):
    ARGV[1] readd: 1 | 0
    ARGV[2] mode when a key is queued: sum | replace | max
    ARGV[3] reply: full | compact | reasons
    ARGV[4] delay: "" (none), "in:<ms>" or "at:<epoch ms>" (server clock), for every item
    then n pairs    key_i, value_i             (ready for HSET)
    then n pairs    -priority_i, key_i         (ready for ZADD at offset 0)

  Output:
    full: one entry per item, its new priority (string) or nil when rejected (gated,
    cooling down, or in flight).
    compact: the integer n when every item was added with the priority given; otherwise one
    entry per item: 1 for "the priority given", the new priority (string), or nil.
    reasons: as compact, with why instead of nil: -1 gated, -2 cooling down, -3 in flight,
    -4 dead; and an item whose key was already queued (merged) as { its new priority }.

  Fast path: when no key is gated, cooling, in flight or dead, there is no delay, and HSET reports every field
  new, every item is new (every member of the scores zset is a field of the items hash), so
  both writes run straight from ARGV with no per-item work in Lua.
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"
--- @include "add-items"

local K = namedKeys('items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats')

local readd, mode = addFlags(ARGV[1], ARGV[2])
if readd == nil then return grError('EINVAL', mode) end
local reasons = ARGV[3] == 'reasons'
local compact = reasons or ARGV[3] == 'compact'
if not compact and ARGV[3] ~= 'full' then return grError('EINVAL', 'reply must be full, compact or reasons') end
local delayUntil, delayError = delayArg(ARGV[4])
if delayUntil == false then return grError('EINVAL', delayError) end
local n = (#ARGV - 4) / 4
if n ~= math.floor(n) then return grError('EINVAL', 'items must come as key/value pairs then score/key pairs') end
if n == 0 then return compact and 0 or {} end
local hs, zs = 5, 5 + 2 * n -- first HSET argument, first ZADD argument

local huge = false -- a priority big enough to overflow a sum: checked before any write
for i = 0, n - 1 do
  local key = ARGV[hs + 2 * i]
  if key == '' then return grError('EINVAL', 'key must be a non-empty string') end
  if ARGV[zs + 2 * i + 1] ~= key then return grError('EINVAL', 'the score/key pairs must list the keys in the same order') end
  local priority = toFinite(ARGV[zs + 2 * i])
  if priority == nil then return grError('EINVAL', 'priority must be a finite number') end
  if math.abs(priority) >= SAFE_PRIORITY then huge = true end
end

local function list(first)
  local out = {}
  for i = 0, n - 1 do out[i + 1] = ARGV[first + 2 * i] end
  return out
end
local function priorities()
  local out = {}
  for i = 0, n - 1 do out[i + 1] = -tonumber(ARGV[zs + 2 * i]) end
  return out
end
local blocked, dead, special -- set below; reply() reads blocked
local function reply(out)
  if reasons then
    for i = 1, n do
      if out[i] == false then out[i] = blocked[i] end
    end
  end
  if compact then return out end
  for i = 1, n do
    if out[i] == 1 then out[i] = fmt(-tonumber(ARGV[zs + 2 * (i - 1)])) end
  end
  return out
end

local overflow = huge and sumOverflow(K, list(hs), priorities(), mode)
if overflow then return grError('ERANGE', overflow) end

blocked, dead, special = {}, {}, false
if readd or redis.call('EXISTS', K.gated, K.cooldowns, K.leases, K.delayed, K.dead) > 0 then
  blocked, dead, special = blockedItems(K, list(hs), readd)
end
if special or delayUntil then
  return reply(addGeneral(K, list(hs), list(hs + 1), priorities(), blocked, dead, mode, false, reasons, delayUntil))
end

local base = baseForAdd(K)
local added = 0
local last = hs + 2 * n - 1
for i = hs, last, 1000 do
  added = added + redis.call('HSET', K.items, unpack(ARGV, i, math.min(i + 999, last)))
end
if added < n then
  -- Some keys were queued already, or listed twice: the general path, values written.
  return reply(addGeneral(K, list(hs), list(hs + 1), priorities(), blocked, dead, mode, true, reasons, nil))
end

if base == 0 then
  last = zs + 2 * n - 1
  for i = zs, last, 1000 do
    redis.call('ZADD', K.scores, unpack(ARGV, i, math.min(i + 999, last)))
  end
else
  local scored = {}
  for i = 0, n - 1 do
    scored[#scored + 1] = base + tonumber(ARGV[zs + 2 * i])
    scored[#scored + 1] = ARGV[zs + 2 * i + 1]
  end
  callChunked('ZADD', K.scores, scored)
end
signalWork(K.marker)
countStat(K.stats, 'added', n)
if compact then return n end
local out = {}
for i = 1, n do out[i] = 1 end
return reply(out)
