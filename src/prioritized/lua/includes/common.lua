-- Helpers shared by the prioritized-stream scripts.
--
-- Stored scores: a stream keeps a per-stream offset `base` (field `base` of its meta hash,
-- 0 when absent) and stores every item as `stored = base - priority` in its sorted set, so
-- ascending score order is pull order (highest priority first, ties in ascending byte order
-- of the key) and decrementAll(by) is `base = base - by`, O(1).

-- Errors come back as "GRERR <CODE> <message>"; src/errors.ts maps the codes.
local function grError(code, message)
  return redis.error_reply('GRERR ' .. code .. ' ' .. message)
end

-- A finite number from an argument, or nil ("inf", "nan" and garbage are refused).
local function toFinite(s)
  local n = tonumber(s)
  if n == nil or n ~= n or n == math.huge or n == -math.huge then return nil end
  return n
end

-- A whole number within [min, max], or nil.
local function toInteger(s, min, max)
  local n = toFinite(s)
  if n == nil or n ~= math.floor(n) or n < min or n > max then return nil end
  return n
end

-- The Redis server's clock, in epoch milliseconds.
local function serverNowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The stream's priority offset.
local function readBase(metaKey)
  return tonumber(redis.call('HGET', metaKey, 'base')) or 0
end

-- A double as an exact string (17 significant digits round-trip every double).
local function fmt(n)
  if n == 0 then n = 0 end -- no "-0"
  return string.format('%.17g', n)
end

-- Runs `redis.call(command, key, <items i..j>)` over `list` in slices that stay far below
-- Lua's stack limit for unpack().
local function callChunked(command, key, list)
  for i = 1, #list, 1000 do
    redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
  end
end

-- Runs `redis.call(command, key, <items i..j>)` over `list` in slices, like callChunked,
-- and concatenates the replies (HMGET, SMISMEMBER, ZMSCORE: one reply element per item).
local function callCollect(command, key, list)
  local out = {}
  for i = 1, #list, 1000 do
    local part = redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end

-- Which of `keys` are members of any of the sorted sets `zsets`: a table by index (true).
-- A set that does not exist is not read.
local function inAnyOf(zsets, keys)
  local found = {}
  for _, zset in ipairs(zsets) do
    if redis.call('EXISTS', zset) == 1 then
      local scores = callCollect('ZMSCORE', zset, keys)
      for i = 1, #keys do
        if scores[i] then found[i] = true end
      end
    end
  end
  return found
end

-- The values of `keys` in the hash `hashKey`, in order (false for a missing field).
local function valuesOf(hashKey, keys)
  return callCollect('HMGET', hashKey, keys)
end

-- The members of a `ZRANGE … WITHSCORES` (or ZPOPMIN) reply, in order.
local function keysOf(range)
  local keys = {}
  for i = 1, #range, 2 do keys[#keys + 1] = range[i] end
  return keys
end

-- Flat key, value, priority triples from keys, their values and the scored reply they came
-- from (priority = base - stored score).
local function triples(keys, values, range, base)
  local out = {}
  for i = 1, #keys do
    out[#out + 1] = keys[i]
    out[#out + 1] = values[i]
    out[#out + 1] = fmt(base - tonumber(range[2 * i]))
  end
  return out
end

-- Turns a `ZRANGE … WITHSCORES` reply into flat key, value, priority triples (values read
-- from `hashKey`).
local function entriesOf(hashKey, range, base)
  local keys = keysOf(range)
  return triples(keys, valuesOf(hashKey, keys), range, base)
end

-- Tells idle workers that there is work: the stream's marker list (KEYS[10] in every script
-- that adds work) holds at most one element.
local function signalWork()
  redis.call('LPUSH', KEYS[10], '1')
  redis.call('LTRIM', KEYS[10], 0, 0)
end

-- Counts `n` items under `field` of a stream's stats hash (the rates `good-redis top`
-- shows). The hash expires 24 hours after its last count, so it never outlives a quiet stream.
local function countStat(statsKey, field, n)
  if n > 0 then
    redis.call('HINCRBY', statsKey, field, n)
    redis.call('PEXPIRE', statsKey, 86400000)
  end
end

-- Adds every key to a sorted set with the same score (formatted once, not once per key).
local function zaddAll(zset, score, keys)
  local at = fmt(score)
  local scored = {}
  for i = 1, #keys do
    scored[#scored + 1] = at
    scored[#scored + 1] = keys[i]
  end
  callChunked('ZADD', zset, scored)
end

-- Gives keys the cooldown a pull or an ack asks for, in the cooldowns zset: the absolute
-- deadline `expireAt`, else now + `cooldownMs`, else none (an earlier deadline is cleared).
local function setCooldowns(cooldownKey, keys, expireAt, cooldownMs)
  local deadline = expireAt
  if deadline == nil and cooldownMs > 0 then deadline = serverNowMs() + cooldownMs end
  if deadline == nil then
    callChunked('ZREM', cooldownKey, keys)
  else
    zaddAll(cooldownKey, deadline, keys)
  end
end
