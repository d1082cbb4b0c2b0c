--[[
  Reads one item's value (psget).

  Input:
    KEYS[1] items hash  {name}:t
    ARGV[1] key

  Output:
    the encoded value, or nil
]]
return redis.call('HGET', KEYS[1], ARGV[1])
