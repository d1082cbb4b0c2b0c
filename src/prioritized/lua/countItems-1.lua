--[[
  Counts the queued items (pslen).

  Input:
    KEYS[1] scores zset  {name}:s

  Output:
    the number of queued items
]]
return redis.call('ZCARD', KEYS[1])
