--[[
  Removes up to `limit` queued items whose priority is strictly below `threshold`
  (psdeletebelowthreshold), lowest priorities first. Callers repeat until fewer than
  `limit` keys come back.

  Input (KEYS: the namedKeys line below):
    ARGV[1] threshold (finite double)
    ARGV[2] gate: 1 also gates the removed keys
    ARGV[3] limit (integer 1..10000)

  Output:
    the removed keys
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'scores', 'gated', 'meta', 'state')

local threshold = toFinite(ARGV[1])
if threshold == nil then return grError('EINVAL', 'threshold must be a finite number') end
if ARGV[2] ~= '0' and ARGV[2] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local limit = toInteger(ARGV[3], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end

-- priority < threshold  <=>  base - stored < threshold  <=>  stored > base - threshold
local bound = readBase(K.meta) - threshold
local keys = redis.call('ZRANGEBYSCORE', K.scores, '(' .. fmt(bound), '+inf', 'LIMIT', 0, limit)
if #keys == 0 then return keys end
callChunked('ZREM', K.scores, keys)
callChunked('HDEL', K.items, keys)
if redis.call('EXISTS', K.state) == 1 then callChunked('HDEL', K.state, keys) end
if ARGV[2] == '1' then callChunked('SADD', K.gated, keys) end
return keys
