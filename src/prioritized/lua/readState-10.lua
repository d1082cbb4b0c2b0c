--[[
  Tells what one key is in a stream, without changing anything.

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

    ARGV[1] key

  Output:
    JSON: {"s": state, ...} where state is leased (with a attempt, m maxAttempts, p priority,
    l leaseId, o owner, at lease deadline), delayed (p, a, at due time), queued (p, a),
    dead (p, a, e error, at time of death), gated, cooling (at: when it ends) or absent
]]
--- @include "includes/common"
--- @include "includes/jobs"

local key = ARGV[1]
if key == nil or key == '' then return grError('EINVAL', 'key must be a non-empty string') end
-- The key's job state as JSON, with its state name and, when given, a time and a priority.
local function withState(s, at, priority)
  local st = decodeState(redis.call('HGET', KEYS[9], key))
  st.s = s
  if at then st.at = tonumber(at) end
  if priority then st.p = priority end
  return cjson.encode(st)
end
local leased = redis.call('ZSCORE', KEYS[6], key)
if leased then return withState('leased', leased) end
local due = redis.call('ZSCORE', KEYS[7], key)
if due then return withState('delayed', due) end
local stored = redis.call('ZSCORE', KEYS[2], key)
if stored then return withState('queued', nil, fmt(readBase(KEYS[5]) - tonumber(stored))) end
local died = redis.call('ZSCORE', KEYS[8], key)
if died then return withState('dead', died) end
if redis.call('SISMEMBER', KEYS[3], key) == 1 then return cjson.encode({ s = 'gated' }) end
local untilMs = redis.call('ZSCORE', KEYS[4], key)
if untilMs and tonumber(untilMs) > serverNowMs() then return cjson.encode({ s = 'cooling', at = tonumber(untilMs) }) end
return cjson.encode({ s = 'absent' })
