--[[
  Replays or purges dead letters: the named keys (or, with none named, up to `limit` of the
  oldest). Replay puts each back into the stream at its last priority with its attempts
  reset; purge removes it and its value. Keys that are not dead letters are skipped.

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    fields base, lseq
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker

    ARGV[1] action: replay | purge
    ARGV[2] limit (integer 1..10000), used when no key is named
    ARGV[3..] keys (optional)

  Output:
    the keys replayed or purged
]]
--- @include "includes/common"
--- @include "includes/jobs"

local action = ARGV[1]
if action ~= 'replay' and action ~= 'purge' then return grError('EINVAL', 'action must be replay or purge') end
local limit = toInteger(ARGV[2], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end

local keys = {}
if #ARGV > 2 then
  local named = {}
  for i = 3, #ARGV do named[#named + 1] = ARGV[i] end
  local died = callCollect('ZMSCORE', KEYS[8], named)
  for i = 1, #named do
    if died[i] then keys[#keys + 1] = named[i] end
  end
else
  keys = redis.call('ZRANGE', KEYS[8], 0, limit - 1)
end
if #keys == 0 then return keys end

callChunked('ZREM', KEYS[8], keys)
if action == 'purge' then
  callChunked('HDEL', KEYS[1], keys)
  callChunked('HDEL', KEYS[9], keys)
  return keys
end
local raw = callCollect('HMGET', KEYS[9], keys)
local states = {}
for i = 1, #keys do states[i] = decodeState(raw[i]) end
requeue(keys, states, readBase(KEYS[5]))
callChunked('HDEL', KEYS[9], keys) -- attempts start over
return keys
