-- Counts `n` items a producer added under the field `added` of an object's stats hash: the
-- total the dashboard's add rate and the metrics' adds counter read (kept as long as the hash).
local function countAdded(statsKey, n)
  if n > 0 then redis.call('HINCRBY', statsKey, 'added', n) end
end
