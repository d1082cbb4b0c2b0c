-- Helpers of the reliable-queue scripts (Queue, UniqueQueue). They take the keys they use as
-- parameters (the script's K table where they need several, saying which).
--
-- A delivery is a member of the held sorted set (all scores 0): "<consumer id>|<seq>|<call id>",
-- seq the queue's delivery counter zero-padded, so one consumer's deliveries are the
-- lexicographic range "(<id>|" .. "(<id>}" in hand-out order. Its value is in the deliveries
-- hash as "<hand-out ms>:<encoded value>".
--- @include "errors"
--- @include "numbers"
--- @include "time"
--- @include "chunks"
--- @include "marker"
--- @include "counts"

-- Claims the name for `kind` (queue, unique or pool) in the meta hash, or returns the error
-- reply for a name another class wrote first (nil when the kind matches).
local function claimKind(metaKey, kind)
  local current = redis.call('HGET', metaKey, 'kind')
  if not current then
    redis.call('HSET', metaKey, 'kind', kind)
  elseif current ~= kind then
    return grError('EINVAL', 'this name holds a ' .. current .. ', not a ' .. kind)
  end
  return nil
end

-- The error reply for a read of a name another class holds (nil when it matches or is new).
local function kindMismatch(metaKey, kind)
  local current = redis.call('HGET', metaKey, 'kind')
  if current and current ~= kind then return grError('EINVAL', 'this name holds a ' .. current .. ', not a ' .. kind) end
  return nil
end

-- A delivery's stored value, and when it was handed out (nil when another program wrote the
-- field without a time: then all of it is the value).
local function splitDelivery(stored)
  local at = string.find(stored, ':', 1, true)
  local ms = at and tonumber(string.sub(stored, 1, at - 1))
  if not ms then return stored, nil end
  return string.sub(stored, at + 1), ms
end

-- The stored values of deliveries `ids`, in their order, and the ids the deliveries hash does
-- not hold (no longer held). Uses K.deliveries.
local function deliveryValues(K, ids)
  local stored = callCollect('HMGET', K.deliveries, ids)
  local values, lost = {}, {}
  for i = 1, #ids do
    if stored[i] then values[#values + 1] = (splitDelivery(stored[i])) else lost[#lost + 1] = ids[i] end
  end
  return values, lost
end

-- The range bounds of one consumer's deliveries in the held set.
local function heldRange(consumerId)
  return '(' .. consumerId .. '|', '(' .. consumerId .. '}'
end

-- Puts values back at the head of the waiting list (the first of `values` is handed out next).
-- A UniqueQueue does not wait twice for one value: one already waiting stays where it is
-- (`moveWaiting` false: a reject) or moves to the head (true: a re-enqueue; an O(waiting) LREM),
-- and a value given back twice in one call (a consumer may hold it twice: handed out, added
-- again, handed out again) goes back once, where its first copy goes.
-- Uses K.list, K.unique, K.marker.
local function pushToHead(K, unique, moveWaiting, values)
  if #values == 0 then return end
  local chosen, seen = {}, {}
  for i = 1, #values do
    local value = values[i]
    local push = true
    if unique then
      if seen[value] then
        push = false
      elseif redis.call('SADD', K.unique, value) == 0 then
        if moveWaiting then redis.call('LREM', K.list, 1, value) else push = false end
      end
      seen[value] = true
    end
    if push then chosen[#chosen + 1] = value end
  end
  if #chosen == 0 then return end
  -- RPUSH puts its last argument nearest the head: the first chosen goes last.
  local pushed = {}
  for i = #chosen, 1, -1 do pushed[#pushed + 1] = chosen[i] end
  callChunked('RPUSH', K.list, pushed)
  signalWork(K.marker)
end

-- The pool's earliest due time (nil when it is empty).
local function firstDue(poolKey)
  local first = redis.call('ZRANGE', poolKey, 0, 0, 'WITHSCORES')
  return first[2] and tonumber(first[2])
end

-- Tells idle Workers to look again when the pool's earliest due time came before `before` (what
-- it was before this script's writes): they wait for the one they read at their last lease.
-- Uses K.pool, K.poolMarker.
local function signalIfSooner(K, before)
  local after = firstDue(K.pool)
  if after and (before == nil or after < before) then signalWork(K.poolMarker) end
end

-- Ends deliveries: out of the held set and the deliveries hash. Uses K.held, K.deliveries.
local function endDeliveries(K, ids)
  callChunked('ZREM', K.held, ids)
  callChunked('HDEL', K.deliveries, ids)
end

-- Drops up to `limit` rollback counters whose last rollback is older than `ttlMs` (0: kept).
-- Returns whether the limit was reached (more may be left). Uses K.rollbacks, K.rollbackTimes.
local function pruneRollbacks(K, now, ttlMs, limit)
  if ttlMs == 0 then return false end
  local old = redis.call('ZRANGEBYSCORE', K.rollbackTimes, '-inf', '(' .. (now - ttlMs), 'LIMIT', 0, limit)
  if #old > 0 then
    callChunked('HDEL', K.rollbacks, old)
    callChunked('ZREM', K.rollbackTimes, old)
  end
  return #old == limit
end

-- A value's rollback counter `raw` (`<count>:<first ms>`, as stored) after one more rollback at
-- `now`: the count and the time of the first. None stored, or one that is unreadable, starts
-- counting over.
local function nextRollback(raw, now)
  local c, first = string.match(raw or '', '^(%d+):(%d+)$')
  if not c then return 1, now end
  return tonumber(c) + 1, tonumber(first)
end

-- Gives back to the head the values of deliveries that ended without being settled (their
-- consumer died, or they were re-enqueued), each counted in its value's rollback counter: its next
-- delivery is a new attempt (its `attempt` is the counter + 1), as a lease that expires is on the
-- other families. Uses K.list, K.unique, K.marker, K.rollbacks, K.rollbackTimes.
local function redeliver(K, unique, values, now)
  pushToHead(K, unique, true, values)
  if #values == 0 then return end
  local raw = callCollect('HMGET', K.rollbacks, values)
  local fields = {}
  for i = 1, #values do
    local count, first = nextRollback(raw[i], now)
    fields[#fields + 1] = values[i]
    fields[#fields + 1] = count .. ':' .. first
  end
  callChunked('HSET', K.rollbacks, fields)
  zaddAll(K.rollbackTimes, now, values)
end

-- Whether a consumer is dead: silent longer than the timeout it registered with (60 s when its
-- registration is missing or unreadable).
local function isDead(consumerInfoKey, consumerId, heartbeat, now)
  local info = redis.call('HGET', consumerInfoKey, consumerId)
  local ok, decoded = pcall(cjson.decode, info or '')
  local timeout = ok and type(decoded) == 'table' and tonumber(decoded.t) or 60000
  return tonumber(heartbeat) < now - timeout
end

--[[
  Gives back (action "requeue") or deletes (action "drop") the deliveries of the selected
  consumers, up to `limit` deliveries, re-checking the selection now:
    mode "dead"     consumers silent longer than their own consumerTimeoutMs
    mode "timeout"  consumers silent longer than timeoutMs (0: every consumer)
    mode "all"      every consumer
  The least silent selected consumer goes first, each consumer's deliveries newest first, so
  the longest-silent consumer's values end nearest the head, each consumer's in hand-out order.
  A selected consumer left holding nothing is removed. Returns how many deliveries were moved,
  and whether any are left (the caller runs it again).
  Each value given back counts a redelivery (redeliver).
  Uses K.list, K.unique, K.marker, K.consumers, K.consumerInfo, K.held, K.deliveries, K.rollbacks, K.rollbackTimes.
]]
local function reap(K, unique, mode, timeoutMs, action, limit, now)
  local candidates
  if mode == 'all' or (mode == 'timeout' and timeoutMs == 0) then
    candidates = redis.call('ZRANGE', K.consumers, 0, limit - 1, 'WITHSCORES')
  elseif mode == 'timeout' then
    candidates = redis.call('ZRANGEBYSCORE', K.consumers, '-inf', '(' .. (now - timeoutMs), 'WITHSCORES', 'LIMIT', 0, limit)
  else
    -- No consumer may register a timeout under 1 s: the rest are alive whatever they registered.
    candidates = redis.call('ZRANGEBYSCORE', K.consumers, '-inf', '(' .. (now - 1000), 'WITHSCORES', 'LIMIT', 0, limit)
  end
  local selected = {}
  for i = #candidates - 1, 1, -2 do -- least silent first
    local id = candidates[i]
    if mode ~= 'dead' or isDead(K.consumerInfo, id, candidates[i + 1], now) then selected[#selected + 1] = id end
  end
  local moved, left = 0, false
  for _, id in ipairs(selected) do
    local room = limit - moved
    if room <= 0 then
      left = true
      break
    end
    local high, low = '(' .. id .. '}', '(' .. id .. '|'
    local ids = redis.call('ZREVRANGEBYLEX', K.held, high, low, 'LIMIT', 0, room + 1)
    local take = {}
    for i = 1, math.min(#ids, room) do take[i] = ids[i] end
    local cut = false
    if #take > 0 then
      if action == 'requeue' then
        local stored = callCollect('HMGET', K.deliveries, take)
        local found = {}
        for i = 1, #take do found[i] = stored[i] and (splitDelivery(stored[i])) end
        if unique then
          -- A value already waiting moves to the head with an O(waiting) LREM: one per atomic
          -- step. The step ends with the first such value (take is newest first, so the older
          -- deliveries left for the next step still end nearer the head).
          local present = {}
          for i = 1, #take do present[i] = found[i] or '' end
          local flags = callCollect('SMISMEMBER', K.unique, present)
          for i = 1, #take do
            if flags[i] == 1 and i < #take then
              for j = #take, i + 1, -1 do
                take[j] = nil
                found[j] = nil
              end
              cut = true
              break
            end
          end
        end
        local values = {}
        -- take is newest first; pushToHead wants the first to hand out first: oldest first.
        for i = #take, 1, -1 do
          if found[i] then values[#values + 1] = found[i] end
        end
        redeliver(K, unique, values, now)
      end
      endDeliveries(K, take)
      moved = moved + #take
    end
    if cut or #ids > room then
      left = true
      break
    end
    redis.call('ZREM', K.consumers, id)
    redis.call('HDEL', K.consumerInfo, id)
  end
  if #candidates / 2 >= limit then left = true end
  return moved, left
end

--[[
  Ends up to `limit` held deliveries that belong to no registered consumer (a member no consumer
  wrote, or one whose registration is gone): given back to the head when the deliveries hash has
  their value (action "requeue"), else dropped. Walks the held set one consumer at a time (a
  ZRANGEBYLEX and a ZSCORE each), so it belongs in a sweep, not in every getItems. Returns how
  many it ended, and whether it stopped at the limit.
  Each value given back counts a redelivery (redeliver).
  Uses K.list, K.unique, K.marker, K.consumers, K.held, K.deliveries, K.rollbacks, K.rollbackTimes.
]]
local function reapOrphans(K, unique, action, limit, now)
  local ended, from = 0, '-'
  while ended < limit do
    local first = redis.call('ZRANGEBYLEX', K.held, from, '+', 'LIMIT', 0, 1)[1]
    if not first then return ended, false end
    local bar = string.find(first, '|', 1, true)
    local consumer = bar and string.sub(first, 1, bar - 1)
    local ids = { first }
    if consumer and redis.call('ZSCORE', K.consumers, consumer) then
      ids = {}
    elseif consumer then
      local low, high = heldRange(consumer)
      ids = redis.call('ZRANGEBYLEX', K.held, low, high, 'LIMIT', 0, limit - ended)
    end
    from = consumer and ('(' .. consumer .. '}') or ('(' .. first)
    if #ids > 0 then
      if action == 'requeue' then redeliver(K, unique, (deliveryValues(K, ids)), now) end
      endDeliveries(K, ids)
      ended = ended + #ids
    end
  end
  return ended, true
end
