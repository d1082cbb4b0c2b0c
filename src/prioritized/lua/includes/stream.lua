-- Helpers shared by the prioritized-stream scripts. They take the keys they use as
-- parameters (the script's K table, from namedKeys, where they need several).
--
-- Stored scores: a stream keeps a per-stream offset `base` (field `base` of its meta hash,
-- 0 when absent) and stores every item as `stored = base - priority` in its sorted set, so
-- ascending score order is pull order (highest priority first, ties in ascending byte order
-- of the key) and decrementAll(by) is `base = base - by`, O(1).
--- @include "errors"
--- @include "numbers"
--- @include "time"
--- @include "chunks"
--- @include "marker"
--- @include "counts"

-- The stream's priority offset.
-- (0 when absent, or when it holds no finite number: the priorities are then read as stored).
local function readBase(metaKey)
  return toFinite(redis.call('HGET', metaKey, 'base')) or 0
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

-- Counts `n` items under `field` of a stream's stats hash (the rates `good-redis top`
-- shows). The hash expires 24 hours after its last count, so it never outlives a quiet stream.
local function countStat(statsKey, field, n)
  if n > 0 then
    addToCounter(statsKey, field, n)
    redis.call('PEXPIRE', statsKey, 86400000)
  end
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
