--[[
  One atomic snapshot of a queue (stats).

  Input (KEYS: the namedKeys line below): none in ARGV

  Output:
    { waiting, processing, consumers, dead consumers, added (in total), now (epoch ms, server clock) }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'consumers', 'consumerInfo', 'held', 'meta')

local now = serverNowMs()
local consumers = redis.call('ZRANGE', K.consumers, 0, -1, 'WITHSCORES')
local dead = 0
for i = 1, #consumers, 2 do
  if isDead(K.consumerInfo, consumers[i], consumers[i + 1], now) then dead = dead + 1 end
end
local added = tonumber(redis.call('HGET', K.meta, 'added')) or 0
return { redis.call('LLEN', K.list), redis.call('ZCARD', K.held), #consumers / 2, dead, added, now }
