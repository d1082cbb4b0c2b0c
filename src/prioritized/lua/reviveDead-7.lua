--[[
  Replays or purges dead letters: the named keys (or, with none named, up to `limit` of the
  oldest). Replay puts each back into the stream at its last priority with its attempts
  reset; purge removes it and its value. Keys that are not dead letters are skipped.

  Input (KEYS: the namedKeys line below):
    ARGV[1] action: replay | purge
    ARGV[2] limit (integer 1..10000), used when no key is named
    ARGV[3..] keys (optional)

  Output:
    the keys replayed or purged
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'cooldowns', 'meta', 'dead', 'state', 'marker')

local action = ARGV[1]
if action ~= 'replay' and action ~= 'purge' then return grError('EINVAL', 'action must be replay or purge') end
local limit = toInteger(ARGV[2], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end

local keys = {}
if #ARGV > 2 then
  local named = {}
  for i = 3, #ARGV do named[#named + 1] = ARGV[i] end
  local died = callCollect('ZMSCORE', K.dead, named)
  for i = 1, #named do
    if died[i] then keys[#keys + 1] = named[i] end
  end
else
  keys = redis.call('ZRANGE', K.dead, 0, limit - 1)
end
if #keys == 0 then return keys end

callChunked('ZREM', K.dead, keys)
if action == 'purge' then
  callChunked('HDEL', K.items, keys)
  callChunked('HDEL', K.state, keys)
  return keys
end
local raw = callCollect('HMGET', K.state, keys)
local states = {}
for i = 1, #keys do states[i] = decodeState(raw[i]) end
requeue(K, keys, states, readBase(K.meta))
callChunked('HDEL', K.state, keys) -- attempts start over
return keys
