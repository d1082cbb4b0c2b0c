--[[
  Removes every key of one stream without blocking Redis (psdelete): UNLINK frees large
  values in the background.

  Input:
    KEYS[1]  items hash      {name}:t
    KEYS[2]  scores zset     {name}:s
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp
    KEYS[5]  meta hash       {name}:meta
    KEYS[6]  leases zset     {name}:lease
    KEYS[7]  delayed zset    {name}:delay
    KEYS[8]  dead zset       {name}:dead
    KEYS[9]  state hash      {name}:state
    KEYS[10] marker list     {name}:marker
    KEYS[11] stats hash      {name}:stats

  Output:
    how many of the keys existed
]]
return redis.call('UNLINK', unpack(KEYS))
