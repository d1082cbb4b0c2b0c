--[[
  Adds items to a Pool, due at `dueAt`. An item already in the pool and not leased takes the
  new due time; a leased item keeps its lease and is marked to be due at once when that lease
  ends. The items new to the pool are counted in the meta hash's `added`.

  Input (KEYS: the namedKeys line below):
    ARGV[1] dueAt in epoch ms, or "" for now (server clock)
    ARGV[2..] the encoded items

  Output:
    one 1 (new to the pool) or 0 per item
]]
--- @include "keys"
--- @include "queue"
--- @include "counts"

local K = namedKeys('pool', 'poolLeases', 'poolReadded', 'poolMarker', 'meta')

local bad = claimKind(K.meta, 'pool')
if bad then return bad end
local now = serverNowMs()
local dueAt = optionalFinite(ARGV[1])
if dueAt == false then return grError('EINVAL', 'dueAt must be a finite number') end
dueAt = dueAt or now
local before = firstDue(K.pool)
local out, dueNow, fresh = {}, false, 0
for i = 2, #ARGV do
  local item = ARGV[i]
  if item == '' then return grError('EINVAL', 'a pool item must encode to a non-empty string') end
end
for i = 2, #ARGV do
  local item = ARGV[i]
  if redis.call('HEXISTS', K.poolLeases, item) == 1 then
    redis.call('SADD', K.poolReadded, item)
    out[#out + 1] = 0
  else
    local new = redis.call('ZADD', K.pool, dueAt, item)
    out[#out + 1] = new
    fresh = fresh + new
    if dueAt <= now then dueNow = true end
  end
end
if dueNow then signalWork(K.poolMarker) else signalIfSooner(K, before) end
countAdded(K.meta, fresh)
return out
