--- @include "time"
--- @include "dead-caps"
-- The dead letters of a family whose dead letters are a stream (task queues, topic groups).

-- Trims a dead-letter stream to its caps after an add: the oldest beyond `limit`, and those
-- older than `maxAgeMs` by the server's clock (a stream id is the ms of its add).
local function trimDead(deadKey, limit, maxAgeMs)
  redis.call('XTRIM', deadKey, 'MAXLEN', limit)
  if maxAgeMs > 0 then redis.call('XTRIM', deadKey, 'MINID', serverNowMs() - maxAgeMs) end
end
