--[[
  Takes up to `count` items, highest priority first, each key at most once (pspull).

  Input (KEYS: the namedKeys line below):
    ARGV[1] count (integer 1..10000)
    ARGV[2] purge: 1 removes the items, 0 keeps them with their priority decreased
    ARGV[3] gate: 1 adds purged keys to the gated set (requires purge)
    ARGV[4] cooldown in ms from now (integer >= 0; 0 sets none)
    ARGV[5] absolute cooldown deadline in epoch ms, or "" (wins over ARGV[4])
    ARGV[6] decrease applied when purge is 0 (finite double)
    ARGV[7] reply: full (default) | compact
    ARGV[8] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>` (for expired
            leases out of attempts that this pull recovers)

  Output:
    full: flat array key1, value1, priority1, key2, ... in pull order
    compact: { offset, { key1, stored1, key2, stored2, ... }, { value1, value2, ... } },
    where priority_i = offset - stored_i (the client subtracts; nothing is formatted here)

  Every pulled key's cooldown becomes exactly what this pull says: a deadline, or none
  (an earlier deadline of that key is cleared). Delayed items that are due (and expired
  leases) join the stream first, as a lease would recover them.
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats')

local count = toInteger(ARGV[1], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
if ARGV[2] ~= '0' and ARGV[2] ~= '1' then return grError('EINVAL', 'purge must be 0 or 1') end
if ARGV[3] ~= '0' and ARGV[3] ~= '1' then return grError('EINVAL', 'gate must be 0 or 1') end
local purge, gate = ARGV[2] == '1', ARGV[3] == '1'
if gate and not purge then return grError('EINVAL', 'gate requires purge') end
local cooldownMs = toInteger(ARGV[4], 0, 9007199254740991)
if cooldownMs == nil then return grError('EINVAL', 'cooldownMs must be an integer >= 0') end
local expireAt = optionalFinite(ARGV[5])
if expireAt == false then return grError('EINVAL', 'expireAt must be a finite number') end
local decreaseBy = toFinite(ARGV[6] or '1')
if decreaseBy == nil then return grError('EINVAL', 'decreaseBy must be a finite number') end
local replyMode = ARGV[7] or 'full'
if replyMode ~= 'full' and replyMode ~= 'compact' then return grError('EINVAL', 'reply must be full or compact') end
local deadLimit, deadAge = deadCaps(ARGV[8])
if deadLimit == nil then return grError('EINVAL', 'the dead letters\' caps must be <limit>:<max age ms>') end

if redis.call('EXISTS', K.leases, K.delayed) > 0 then recoverDue(K, serverNowMs(), readBase(K.meta), math.max(count, 100), deadLimit, deadAge) end

-- Ascending stored score is descending priority; ZPOPMIN takes and removes in one call.
local range
if purge then
  range = redis.call('ZPOPMIN', K.scores, count)
else
  range = redis.call('ZRANGE', K.scores, 0, count - 1, 'WITHSCORES')
end
if #range == 0 then return {} end

local keys = keysOf(range)
local values = valuesOf(K.items, keys)

if purge then
  callChunked('HDEL', K.items, keys)
  if redis.call('EXISTS', K.state) == 1 then callChunked('HDEL', K.state, keys) end
  if gate then callChunked('SADD', K.gated, keys) end
else
  local scored = {}
  for i = 1, #keys do
    scored[#scored + 1] = tonumber(range[2 * i]) + decreaseBy
    scored[#scored + 1] = keys[i]
  end
  callChunked('ZADD', K.scores, scored)
end

setCooldowns(K.cooldowns, keys, expireAt, cooldownMs)
countStat(K.stats, 'pulled', #keys)

local base = readBase(K.meta)
if replyMode == 'compact' then return { fmt(base), range, values } end
return triples(keys, values, range, base)
