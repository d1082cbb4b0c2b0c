--[[
  Items leave the pool, leased or not (a holder's later ack fails with ELEASE); without items,
  up to `limit` of the pool's items leave (clear, in chunks).

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit (1 to 10000), used when no item is named
    ARGV[2..] the encoded items

  Output:
    how many items left the pool
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('pool', 'poolLeases', 'poolReadded')

local limit = toInteger(ARGV[1], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local items = {}
if #ARGV > 1 then
  for i = 2, #ARGV do items[#items + 1] = ARGV[i] end
else
  items = redis.call('ZRANGE', K.pool, 0, limit - 1)
end
if #items == 0 then return 0 end
local removed = 0
for i = 1, #items, 1000 do
  removed = removed + redis.call('ZREM', K.pool, unpack(items, i, math.min(i + 999, #items)))
end
callChunked('HDEL', K.poolLeases, items)
callChunked('SREM', K.poolReadded, items)
return removed
