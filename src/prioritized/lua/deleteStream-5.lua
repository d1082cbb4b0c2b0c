--[[
  Removes every key of one stream without blocking Redis (psdelete): UNLINK frees large
  values in the background.

  Input:
    KEYS[1] items hash        {name}:t    key -> value
    KEYS[2] scores zset       {name}:s    key -> base - priority
    KEYS[3] gated set         {name}:exc
    KEYS[4] cooldowns zset    {name}:exp  key -> deadline (epoch ms, server clock)
    KEYS[5] meta hash         {name}:meta field base

  Output:
    how many of the keys existed
]]
return redis.call('UNLINK', unpack(KEYS))
