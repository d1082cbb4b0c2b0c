--[[
  Sweeps up to `limit` cooldowns whose deadline has passed (psexpire). Each expired key
  leaves the cooldown set; if it is still queued (it was pulled with purge = 0) it is also
  removed from the stream. Callers repeat until fewer than `limit` keys expired.

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit (integer 1..10000)

  Output:
    { expired, removed }: how many cooldowns ended, how many of those keys left the stream
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'scores', 'cooldowns', 'state')

local limit = toInteger(ARGV[1], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local keys = redis.call('ZRANGEBYSCORE', K.cooldowns, '-inf', serverNowMs(), 'LIMIT', 0, limit)
if #keys == 0 then return { 0, 0 } end
callChunked('ZREM', K.cooldowns, keys)
local removed = 0
for i = 1, #keys do
  if redis.call('ZREM', K.scores, keys[i]) == 1 then
    redis.call('HDEL', K.items, keys[i])
    redis.call('HDEL', K.state, keys[i])
    removed = removed + 1
  end
end
return { #keys, removed }
