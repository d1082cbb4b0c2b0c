-- Leases, retries and dead letters. Requires stream.lua. Helpers that touch several keys take
-- the script's K table (namedKeys) and say which of its keys they use.
--- @include "dead-caps"
-- A job's state is JSON in the state hash: a = attempts (times leased), m = maxAttempts of
-- its last lease (0: unlimited), p = its priority (a string, exact), l = the current lease
-- id and o = who holds it (only while leased), e = the last error.

--
-- A state that is not such JSON (another program's, a hand edit's) starts over: no attempt
-- used, its error saying why; the job itself is kept.
local function decodeState(raw)
  if not raw then return { a = 0, m = 0 } end
  local ok, st = pcall(cjson.decode, raw)
  if ok and type(st) == 'table' and (st.a == nil or type(st.a) == 'number') and (st.m == nil or type(st.m) == 'number')
    and (st.p == nil or tonumber(st.p) ~= nil) then
    return st
  end
  return { a = 0, m = 0, e = 'its stored state was unreadable and started over' }
end

-- Whether a job that just failed has used up its attempts.
local function exhausted(st)
  return st.m ~= nil and st.m > 0 and st.a >= st.m
end

-- Puts jobs back into the stream at the priority in their state (a list of keys and a
-- parallel list of states); the states are written back by the caller. A cooldown left on
-- such a key (by a pull with purge false before it was leased) is cleared: a later sweep
-- must not remove the returned job. Uses K.scores, K.cooldowns, K.marker.
local function requeue(K, keys, states, base)
  if #keys > 0 and redis.call('EXISTS', K.cooldowns) == 1 then callChunked('ZREM', K.cooldowns, keys) end
  local scored = {}
  for i = 1, #keys do
    scored[#scored + 1] = base - tonumber(states[i].p or '0')
    scored[#scored + 1] = keys[i]
  end
  callChunked('ZADD', K.scores, scored)
  if #keys > 0 then signalWork(K.marker) end
end

-- Writes states back into the state hash: keys and states are parallel lists.
local function saveStates(stateKey, keys, states)
  local fields = {}
  for i = 1, #keys do
    fields[#fields + 1] = keys[i]
    fields[#fields + 1] = cjson.encode(states[i])
  end
  callChunked('HSET', stateKey, fields)
end

-- The most dead letters one trim drops, so that a script that adds a few never runs long after
-- the caps were lowered on a stream holding many: the next death drops the next ones.
local TRIM_MOST = 1000

-- Keeps the dead letters within their caps after some died at `now`: the oldest beyond `limit`
-- and those that died more than `maxAgeMs` ago (0: no age cap) go, with their values and
-- states, at most TRIM_MOST per call. Both are prefixes of the dead letters in the order they
-- died, so the longer one covers both. Uses K.dead, K.items and K.state.
local function trimDeadJobs(K, now, limit, maxAgeMs)
  local over = redis.call('ZCARD', K.dead) - limit
  local drop = {}
  if over > 0 then drop = redis.call('ZRANGE', K.dead, 0, math.min(over, TRIM_MOST) - 1) end
  if maxAgeMs > 0 then
    local old = redis.call('ZRANGEBYSCORE', K.dead, '-inf', '(' .. (now - maxAgeMs), 'LIMIT', 0, TRIM_MOST)
    if #old > #drop then drop = old end
  end
  if #drop == 0 then return end
  callChunked('ZREM', K.dead, drop)
  callChunked('HDEL', K.items, drop)
  callChunked('HDEL', K.state, drop)
end

-- Up to `limit` expired leases go back to the stream with their attempt count, or to the
-- dead letters when they have used up their attempts; up to `limit` delayed jobs that are
-- due go back to the stream. The dead letters are then trimmed to `caps` (deadLimit, deadAge:
-- see trimDeadJobs). Returns returned, died, promoted. Uses K.leases, K.delayed, K.dead,
-- K.items, K.state and requeue's keys.
local function recoverDue(K, now, base, limit, deadLimit, deadAge)
  local returned, died, promoted = 0, 0, 0
  local expired = redis.call('ZRANGEBYSCORE', K.leases, '-inf', now, 'LIMIT', 0, limit)
  if #expired > 0 then
    local raw = callCollect('HMGET', K.state, expired)
    local back, backStates, dead, deadStates = {}, {}, {}, {}
    for i = 1, #expired do
      local st = decodeState(raw[i])
      st.l, st.o = nil, nil
      if exhausted(st) then
        st.e = 'lease expired'
        dead[#dead + 1], deadStates[#deadStates + 1] = expired[i], st
      else
        back[#back + 1], backStates[#backStates + 1] = expired[i], st
      end
    end
    callChunked('ZREM', K.leases, expired)
    requeue(K, back, backStates, base)
    zaddAll(K.dead, now, dead)
    saveStates(K.state, back, backStates)
    saveStates(K.state, dead, deadStates)
    if #dead > 0 then trimDeadJobs(K, now, deadLimit, deadAge) end
    returned, died = #back, #dead
  end
  local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, limit)
  if #due > 0 then
    local raw = callCollect('HMGET', K.state, due)
    local states = {}
    for i = 1, #due do states[i] = decodeState(raw[i]) end
    callChunked('ZREM', K.delayed, due)
    requeue(K, due, states, base)
    promoted = #due
  end
  return returned, died, promoted
end

-- Whether a job's raw state names lease `id`. cjson writes the field as "l":"<id>" and
-- escapes every quote inside a string, so a plain search finds it exactly, without decoding.
local function holdsLease(raw, id)
  return raw ~= false and raw ~= nil and string.find(raw, '"l":"' .. id .. '"', 1, true) ~= nil
end

-- Reads ARGV[first..] as key, leaseId pairs; returns keys, ids, the states (decoded only
-- when `decode` is true: nack rewrites them, ack and extend only check the lease), and the
-- keys whose lease is not the one named (expired and recovered, or handed to someone else),
-- as the state hash `stateKey` records them.
local function leasedPairs(stateKey, first, decode)
  local keys, ids = {}, {}
  for i = first, #ARGV, 2 do
    keys[#keys + 1] = ARGV[i]
    ids[#ids + 1] = ARGV[i + 1]
  end
  local raw = callCollect('HMGET', stateKey, keys)
  local states, lost = {}, {}
  for i = 1, #keys do
    if not holdsLease(raw[i], ids[i]) then lost[#lost + 1] = keys[i] end
    if decode then states[i] = decodeState(raw[i]) end
  end
  return keys, ids, states, lost
end

-- The error reply for lost leases, naming up to ten keys.
local function leaseLost(lost)
  local shown = {}
  for i = 1, math.min(#lost, 10) do shown[i] = lost[i] end
  local more = #lost > 10 and (' and ' .. (#lost - 10) .. ' more') or ''
  return grError('ELEASE', 'the lease is no longer held for ' .. table.concat(shown, ', ') .. more)
end
