--[[
  Removes up to `limit` queued items whose priority is strictly below `threshold`
  (psdeletebelowthreshold), lowest priorities first. Callers repeat until fewer than
  `limit` keys come back.

  Input:
    KEYS[1] items hash   {name}:t
    KEYS[2] scores zset  {name}:s
    KEYS[3] gated set    {name}:exc
    KEYS[4] meta hash    {name}:meta
    KEYS[5] state hash   {name}:state  job state of retried items

    ARGV[1] threshold (finite double)
    ARGV[2] gate: 1 also gates the removed keys
    ARGV[3] limit (integer 1..10000)

  Output:
    the removed keys
]]
--- @include "includes/common"

local threshold = toFinite(ARGV[1])
if threshold == nil then return grError('EINVAL', 'threshold must be a finite number') end
if ARGV[2] ~= '0' and ARGV[2] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local limit = toInteger(ARGV[3], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end

-- priority < threshold  <=>  base - stored < threshold  <=>  stored > base - threshold
local bound = readBase(KEYS[4]) - threshold
local keys = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. fmt(bound), '+inf', 'LIMIT', 0, limit)
if #keys == 0 then return keys end
callChunked('ZREM', KEYS[2], keys)
callChunked('HDEL', KEYS[1], keys)
if redis.call('EXISTS', KEYS[5]) == 1 then callChunked('HDEL', KEYS[5], keys) end
if ARGV[2] == '1' then callChunked('SADD', KEYS[3], keys) end
return keys
