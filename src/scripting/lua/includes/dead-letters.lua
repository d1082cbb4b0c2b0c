--- @include "time"
-- Reads the dead letters' caps of a family whose dead letters are a stream: the argument
-- `<most kept>:<most age in ms, 0 for none>` (src/jobs/dead-letters.ts writes it). Returns the
-- limit and the age, or nil when the argument is malformed.
local function deadCaps(arg)
  local limit, age = string.match(arg or '', '^(%d+):(%d+)$')
  limit, age = tonumber(limit), tonumber(age)
  if not limit or limit < 1 or not age then return nil end
  return limit, age
end

-- Trims a dead-letter stream to its caps after an add: the oldest beyond `limit`, and those
-- older than `maxAgeMs` by the server's clock (a stream id is the ms of its add).
local function trimDead(deadKey, limit, maxAgeMs)
  redis.call('XTRIM', deadKey, 'MAXLEN', limit)
  if maxAgeMs > 0 then redis.call('XTRIM', deadKey, 'MINID', serverNowMs() - maxAgeMs) end
end
