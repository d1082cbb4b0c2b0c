-- Adds one item. Requires common.lua. KEYS as in addItem-5.lua.
-- Returns the item's new priority as a string, or false when the key is gated or cooling down.
local function addOne(key, value, priority, readd, mode, now, base)
  if readd then
    redis.call('SREM', KEYS[3], key)
    redis.call('ZREM', KEYS[4], key)
  else
    if redis.call('SISMEMBER', KEYS[3], key) == 1 then return false end
    local deadline = redis.call('ZSCORE', KEYS[4], key)
    if deadline then
      if tonumber(deadline) > now then return false end
      -- The cooldown is over: forget it, so a later sweep cannot remove the new item.
      redis.call('ZREM', KEYS[4], key)
    end
  end
  redis.call('HSET', KEYS[1], key, value)
  local target = base - priority
  local current = redis.call('ZSCORE', KEYS[2], key)
  if current then
    current = tonumber(current)
    if mode == 'sum' then
      target = current - priority
    elseif mode == 'max' and current < target then
      target = current
    end
  end
  redis.call('ZADD', KEYS[2], target, key)
  return fmt(base - target)
end

-- Validates the shared flags of the add scripts; returns readd, mode or nil, error.
local function addFlags(readdArg, modeArg)
  if readdArg ~= '0' and readdArg ~= '1' then return nil, 'readd must be 0 or 1' end
  if modeArg ~= 'sum' and modeArg ~= 'replace' and modeArg ~= 'max' then
    return nil, 'mode must be sum, replace or max'
  end
  return readdArg == '1', modeArg
end

-- The base for an add: a stream that is empty starts again from offset 0.
local function baseForAdd()
  if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('HDEL', KEYS[5], 'base')
    return 0
  end
  return readBase(KEYS[5])
end
