--[[
  Removes waiting copies of one value with LREM's count (count > 0: the most recently added,
  < 0: the next to be handed out, 0: all) and clears its rollback counter. A UniqueQueue
  removes its one copy and the set entry. Held deliveries are untouched. O(waiting).

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2] count (an integer)
    ARGV[3] the encoded value

  Output:
    how many copies were removed
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'rollbacks', 'rollbackTimes', 'meta')

local kind = ARGV[1]
if kind ~= 'queue' and kind ~= 'unique' then return grError('EINVAL', 'kind must be queue or unique') end
local count = toInteger(ARGV[2], -9007199254740991, 9007199254740991)
if count == nil then return grError('EINVAL', 'count must be an integer') end
if ARGV[3] == nil then return grError('EINVAL', 'value is missing') end
local bad = kindMismatch(K.meta, kind)
if bad then return bad end
redis.call('HDEL', K.rollbacks, ARGV[3])
redis.call('ZREM', K.rollbackTimes, ARGV[3])
if kind == 'unique' then
  if redis.call('SREM', K.unique, ARGV[3]) == 0 then return 0 end
  return redis.call('LREM', K.list, 1, ARGV[3])
end
return redis.call('LREM', K.list, count, ARGV[3])
