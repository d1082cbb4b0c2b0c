--[[
  Takes up to `count` items, highest priority first, each key at most once (pspull).

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    field base
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   job state of retried and delayed items (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker
    KEYS[11] stats hash      {name}:stats   fields added, pulled (expires 24 h after the last count)

    ARGV[1] count (integer 1..10000)
    ARGV[2] purge: 1 removes the items, 0 keeps them with their priority decreased
    ARGV[3] gate: 1 adds purged keys to the gated set (requires purge)
    ARGV[4] cooldown in ms from now (integer >= 0; 0 sets none)
    ARGV[5] absolute cooldown deadline in epoch ms, or "" (wins over ARGV[4])
    ARGV[6] decrease applied when purge is 0 (finite double)
    ARGV[7] reply: full (default) | compact

  Output:
    full: flat array key1, value1, priority1, key2, ... in pull order
    compact: { offset, { key1, stored1, key2, stored2, ... }, { value1, value2, ... } },
    where priority_i = offset - stored_i (the client subtracts; nothing is formatted here)

  Every pulled key's cooldown becomes exactly what this pull says: a deadline, or none
  (an earlier deadline of that key is cleared). Delayed items that are due (and expired
  leases) join the stream first, as a lease would recover them.
]]
--- @include "includes/common"
--- @include "includes/jobs"

local count = toInteger(ARGV[1], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
if ARGV[2] ~= '0' and ARGV[2] ~= '1' then return grError('EINVAL', 'purge must be 0 or 1') end
if ARGV[3] ~= '0' and ARGV[3] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local purge, gate = ARGV[2] == '1', ARGV[3] == '1'
if gate and not purge then return grError('EINVAL', 'gate requires purge') end
local cooldownMs = toInteger(ARGV[4], 0, 9007199254740991)
if cooldownMs == nil then return grError('EINVAL', 'cooldownMs must be an integer >= 0') end
local expireAt = nil
if ARGV[5] ~= nil and ARGV[5] ~= '' then
  expireAt = toFinite(ARGV[5])
  if expireAt == nil then return grError('EINVAL', 'expireAt must be a finite number') end
end
local decreaseBy = toFinite(ARGV[6] or '1')
if decreaseBy == nil then return grError('EINVAL', 'decreaseBy must be a finite number') end
local replyMode = ARGV[7] or 'full'
if replyMode ~= 'full' and replyMode ~= 'compact' then return grError('EINVAL', 'reply must be full or compact') end

if redis.call('EXISTS', KEYS[6], KEYS[7]) > 0 then recoverDue(serverNowMs(), readBase(KEYS[5]), math.max(count, 100)) end

-- Ascending stored score is descending priority; ZPOPMIN takes and removes in one call.
local range
if purge then
  range = redis.call('ZPOPMIN', KEYS[2], count)
else
  range = redis.call('ZRANGE', KEYS[2], 0, count - 1, 'WITHSCORES')
end
if #range == 0 then return {} end

local keys = keysOf(range)
local values = valuesOf(KEYS[1], keys)

if purge then
  callChunked('HDEL', KEYS[1], keys)
  if redis.call('EXISTS', KEYS[9]) == 1 then callChunked('HDEL', KEYS[9], keys) end
  if gate then callChunked('SADD', KEYS[3], keys) end
else
  local scored = {}
  for i = 1, #keys do
    scored[#scored + 1] = tonumber(range[2 * i]) + decreaseBy
    scored[#scored + 1] = keys[i]
  end
  callChunked('ZADD', KEYS[2], scored)
end

setCooldowns(KEYS[4], keys, expireAt, cooldownMs)
countStat(KEYS[11], 'pulled', #keys)

local base = readBase(KEYS[5])
if replyMode == 'compact' then return { fmt(base), range, values } end
return triples(keys, values, range, base)
