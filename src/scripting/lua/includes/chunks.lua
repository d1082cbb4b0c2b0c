--- @include "numbers"

-- Runs `redis.call(command, key, <items i..j>)` over `list` in slices that stay far below
-- Lua's stack limit for unpack().
local function callChunked(command, key, list)
  for i = 1, #list, 1000 do
    redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
  end
end

-- Runs `redis.call(command, key, arg, <items i..j>)` over `list` in slices: callChunked with
-- one argument before the items (XACK's group).
local function callChunkedAfter(command, key, arg, list)
  for i = 1, #list, 1000 do
    redis.call(command, key, arg, unpack(list, i, math.min(i + 999, #list)))
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

-- Adds every member to a sorted set with the same score (formatted once, not once per member).
local function zaddAll(zset, score, members)
  local at = fmt(score)
  local scored = {}
  for i = 1, #members do
    scored[#scored + 1] = at
    scored[#scored + 1] = members[i]
  end
  callChunked('ZADD', zset, scored)
end
