--- @include "time"
-- Counters in hashes, kept whatever another program left in them: HINCRBY refuses a field that
-- holds no integer, and a script must not raise once it has written (Redis keeps what it wrote).

-- Adds `n` to the counter `field` of the hash `hashKey` and returns the new value; a field that
-- holds no integer starts again from 0, or from what `restart()` answers. The hash itself is of
-- the right type (the scripts' key type guard checked it).
local function addToCounter(hashKey, field, n, restart)
  local r = redis.pcall('HINCRBY', hashKey, field, n)
  if type(r) == 'number' then return r end
  r = (restart and restart() or 0) + n
  redis.call('HSET', hashKey, field, r)
  return r
end

-- The next value of a sequence kept in `field` of `hashKey` (a lease or delivery counter, a read
-- epoch: what it issues must never repeat). A field that holds no integer starts again above
-- anything it could have issued: from the server's clock in milliseconds (13 digits, so that Lua
-- still writes the values it adds to it in full, not as 1.7e+12).
local function nextInSequence(hashKey, field, n)
  return addToCounter(hashKey, field, n or 1, serverNowMs)
end

-- Counts `n` items a producer added under the field `added` of an object's stats hash: the
-- total the dashboard's add rate and the metrics' adds counter read (kept as long as the hash).
local function countAdded(statsKey, n)
  if n > 0 then addToCounter(statsKey, 'added', n) end
end
