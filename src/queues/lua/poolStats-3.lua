--[[
  One atomic snapshot of a Pool (stats).

  Input (KEYS: the namedKeys line below): none in ARGV

  Output:
    { size, due now (expired leases included), leased, added (in total), now (epoch ms, server clock) }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('pool', 'poolLeases', 'meta')

local now = serverNowMs()
local bad = kindMismatch(K.meta, 'pool')
if bad then return bad end
local added = tonumber(redis.call('HGET', K.meta, 'added')) or 0
return { redis.call('ZCARD', K.pool), redis.call('ZCOUNT', K.pool, '-inf', now), redis.call('HLEN', K.poolLeases), added, now }
