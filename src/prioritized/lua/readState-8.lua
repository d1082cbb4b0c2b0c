--[[
  Tells what one key is in a stream, without changing anything.

  Input (KEYS: the namedKeys line below):
    ARGV[1] key

  Output:
    JSON: {"s": state, ...} where state is leased (with a attempt, m maxAttempts, p priority,
    l leaseId, o owner, at lease deadline), delayed (p, a, at due time), queued (p, a),
    dead (p, a, e error, at time of death), gated, cooling (at: when it ends) or absent
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('scores', 'gated', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state')

local key = ARGV[1]
if key == nil or key == '' then return grError('EINVAL', 'key must be a non-empty string') end
-- The key's job state as JSON, with its state name and, when given, a time and a priority.
local function withState(s, at, priority)
  local st = decodeState(redis.call('HGET', K.state, key))
  st.s = s
  if at then st.at = tonumber(at) end
  if priority then st.p = priority end
  return cjson.encode(st)
end
local leased = redis.call('ZSCORE', K.leases, key)
if leased then return withState('leased', leased) end
local due = redis.call('ZSCORE', K.delayed, key)
if due then return withState('delayed', due) end
local stored = redis.call('ZSCORE', K.scores, key)
if stored then return withState('queued', nil, fmt(readBase(K.meta) - tonumber(stored))) end
local died = redis.call('ZSCORE', K.dead, key)
if died then return withState('dead', died) end
if redis.call('SISMEMBER', K.gated, key) == 1 then return cjson.encode({ s = 'gated' }) end
local untilMs = redis.call('ZSCORE', K.cooldowns, key)
if untilMs and tonumber(untilMs) > serverNowMs() then return cjson.encode({ s = 'cooling', at = tonumber(untilMs) }) end
return cjson.encode({ s = 'absent' })
