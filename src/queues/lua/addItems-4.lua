--[[
  Adds values to a Queue (duplicates wait as often as added) or a UniqueQueue (a value waits at
  most once). Values are pushed on the left in input order, so they are handed out (from the
  right) in the order added. The values that now wait are counted in the meta hash's `added`.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2..] encoded values

  Output:
    queue: the waiting count after the add; unique: one 1 (added) or 0 (already waiting) per value
]]
--- @include "keys"
--- @include "queue"
--- @include "counts"

local K = namedKeys('list', 'unique', 'marker', 'meta')

local kind = ARGV[1]
if kind ~= 'queue' and kind ~= 'unique' then return grError('EINVAL', 'kind must be queue or unique') end
local bad = claimKind(K.meta, kind)
if bad then return bad end
if #ARGV < 2 then return kind == 'queue' and redis.call('LLEN', K.list) or {} end

if kind == 'queue' then
  local n = 0
  for i = 2, #ARGV, 1000 do
    n = redis.call('LPUSH', K.list, unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
  signalWork(K.marker)
  countAdded(K.meta, #ARGV - 1)
  return n
end
local added, fresh = {}, {}
for i = 2, #ARGV do
  local new = redis.call('SADD', K.unique, ARGV[i])
  added[#added + 1] = new
  if new == 1 then fresh[#fresh + 1] = ARGV[i] end
end
if #fresh > 0 then
  callChunked('LPUSH', K.list, fresh)
  signalWork(K.marker)
  countAdded(K.meta, #fresh)
end
return added
