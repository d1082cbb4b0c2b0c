-- Adding items. Requires stream.lua and jobs.lua. The helpers take the script's K table
-- (namedKeys): every key of the stream.

-- Why an add refused an item, as the `reasons` reply of addItems-11.lua gives it.
local REJECTED = { gated = -1, cooling = -2, inFlight = -3, dead = -4 }

-- Validates the shared flags of the add scripts; returns readd, mode or nil, error.
local function addFlags(readdArg, modeArg)
  if readdArg ~= '0' and readdArg ~= '1' then return nil, 'readd must be 0 or 1' end
  if modeArg ~= 'sum' and modeArg ~= 'replace' and modeArg ~= 'max' then
    return nil, 'mode must be sum, replace or max'
  end
  return readdArg == '1', modeArg
end

-- The base for an add: a stream that is empty starts again from offset 0.
local function baseForAdd(K)
  if redis.call('EXISTS', K.scores) == 0 then
    redis.call('HDEL', K.meta, 'base')
    return 0
  end
  return readBase(K.meta)
end

-- Which of `keys` may not be added (a table by index), which are dead letters that readd
-- revives (a table by index; adding one takes it out of the dead letters), and whether either
-- table is non-empty. A refused key's entry says why: REJECTED.inFlight, REJECTED.dead,
-- REJECTED.gated or REJECTED.cooling. A key that is leased or delayed (in flight) is always
-- refused. With readd, gating and cooldowns of the keys are cleared and dead letters come
-- back; without it a dead, gated or cooling key is refused, and an ended cooldown is
-- forgotten, so a later sweep cannot remove the new item.
local function blockedItems(K, keys, readd)
  local blocked, dead, any = {}, {}, false
  local inFlight = inAnyOf({ K.leases, K.delayed }, keys)
  for i = 1, #keys do
    if inFlight[i] then blocked[i], any = REJECTED.inFlight, true end
  end
  if redis.call('EXISTS', K.dead) == 1 then
    local died = callCollect('ZMSCORE', K.dead, keys)
    for i = 1, #keys do
      if died[i] and not blocked[i] then
        if readd then dead[i] = true else blocked[i] = REJECTED.dead end
        any = true
      end
    end
  end
  if readd then
    callChunked('SREM', K.gated, keys)
    callChunked('ZREM', K.cooldowns, keys)
    return blocked, dead, any
  end
  if redis.call('EXISTS', K.gated) == 1 then
    local gated = callCollect('SMISMEMBER', K.gated, keys)
    for i = 1, #keys do
      if gated[i] == 1 and not blocked[i] then blocked[i], any = REJECTED.gated, true end
    end
  end
  if redis.call('EXISTS', K.cooldowns) == 1 then
    local deadlines = callCollect('ZMSCORE', K.cooldowns, keys)
    local now, ended = serverNowMs(), {}
    for i = 1, #keys do
      local deadline = deadlines[i]
      if deadline then
        if tonumber(deadline) > now then
          if not blocked[i] then blocked[i], any = REJECTED.cooling, true end
        else
          ended[#ended + 1] = keys[i]
        end
      end
    end
    callChunked('ZREM', K.cooldowns, ended)
  end
  return blocked, dead, any
end

-- The stored score an add gives an item: `base - priority` for a new key; for a key whose
-- stored score is `c`, what the mode makes of it (sum, replace, max).
local function mergedTarget(c, base, priority, mode)
  local target = base - priority
  if c then
    if mode == 'sum' then
      target = c - priority
    elseif mode == 'max' and c < target then
      target = c
    end
  end
  return target
end

-- Below this size a priority cannot push any finite stored score past the largest double
-- (it is under half a unit in the last place of 1.8e308).
local SAFE_PRIORITY = 1e291

-- Checks, before anything is written, that summing `priorities` into the keys' stored
-- scores (and into each other, for a key listed twice) stays finite. Only a sum of huge
-- numbers can overflow, so it reads the scores only when some priority is huge. Returns nil,
-- or the error message.
local function sumOverflow(K, keys, priorities, mode)
  if mode ~= 'sum' then return nil end
  local huge = false
  for i = 1, #priorities do
    if math.abs(priorities[i]) >= SAFE_PRIORITY then huge = true end
  end
  if not huge then return nil end
  local base = readBase(K.meta)
  local stored = redis.call('EXISTS', K.scores) == 1 and callCollect('ZMSCORE', K.scores, keys) or {}
  local current = {}
  for i = 1, #keys do
    local target = mergedTarget(current[keys[i]] or (stored[i] and tonumber(stored[i])), base, priorities[i], mode)
    if toFinite(target) == nil then return 'the priority of ' .. keys[i] .. ' would leave the range of finite numbers' end
    current[keys[i]] = target
  end
  return nil
end

-- The general add, item by item in order: keys, values, priorities are parallel lists,
-- blocked and dead come from blockedItems. Values are written unless `valuesWritten`.
-- Returns one entry per item: 1 when the new priority is the one given, else the new
-- priority as a string, or false when the item is blocked; with `markMerged`, an item whose
-- key was already queued (or listed earlier in this call) is a one-element table holding its
-- new priority. With `delayUntil` (epoch ms, server clock), the items go to the delayed set
-- instead of the stream, with their priority in their job state (K.state); an item that was
-- queued leaves the stream for it. Counts the items added in the stats hash (K.stats). A key
-- listed twice behaves as two adds in a row (HSET and ZADD keep the last value of a field or
-- member).
local function addGeneral(K, keys, values, priorities, blocked, dead, mode, valuesWritten, markMerged, delayUntil)
  local base = baseForAdd(K)
  local stored = redis.call('EXISTS', K.scores) == 1 and callCollect('ZMSCORE', K.scores, keys) or {}
  local current = {} -- stored scores written earlier in this call
  local out, fields, scored, added = {}, {}, {}, {}
  for i = 1, #keys do
    if blocked[i] then
      out[i] = false
    else
      local key, priority = keys[i], priorities[i]
      local c = current[key] or (stored[i] and tonumber(stored[i]))
      local target = mergedTarget(c, base, priority, mode)
      current[key] = target
      fields[#fields + 1] = key
      fields[#fields + 1] = values[i]
      scored[#scored + 1] = target
      scored[#scored + 1] = key
      added[#added + 1] = key
      local p = base - target
      if p == priority then out[i] = 1 else out[i] = fmt(p) end
      if markMerged and c then out[i] = { fmt(p) } end
    end
  end
  if not valuesWritten then callChunked('HSET', K.items, fields) end
  local revived = {}
  for i = 1, #keys do
    if dead[i] and not blocked[i] then revived[#revived + 1] = keys[i] end
  end
  callChunked('ZREM', K.dead, revived)
  callChunked('HDEL', K.state, revived) -- attempts start over
  if delayUntil then
    callChunked('ZREM', K.scores, added)
    local raw = callCollect('HMGET', K.state, added)
    local states = {}
    for i = 1, #added do
      local st = decodeState(raw[i])
      st.p = fmt(base - current[added[i]])
      states[i] = st
    end
    saveStates(K.state, added, states)
    zaddAll(K.delayed, delayUntil, added)
  else
    callChunked('ZADD', K.scores, scored)
  end
  if #scored > 0 then signalWork(K.marker) end
  countStat(K.stats, 'added', #scored / 2)
  return out
end

-- Reads the delay argument of the add scripts: "" for none, "in:<ms>" from now or
-- "at:<epoch ms>" (server clock). Returns the time the items are due, nil for an immediate
-- add (none, or not after now), or false and an error.
local function delayArg(arg)
  if arg == nil or arg == '' then return nil end
  local kind, n = string.match(arg, '^(%a%a):(.+)$')
  local value = n and toFinite(n)
  if value == nil or (kind ~= 'in' and kind ~= 'at') then
    return false, 'delay must be "in:<ms>" or "at:<epoch ms>"'
  end
  local now = serverNowMs()
  local at = kind == 'in' and now + value or value
  if at <= now then return nil end
  return at
end
