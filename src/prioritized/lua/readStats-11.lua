--[[
  Counts what one stream holds, in one consistent snapshot (no raw command).

  Input:
    KEYS[1]  items hash      {name}:t
    KEYS[2]  scores zset     {name}:s
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta
    KEYS[6]  leases zset     {name}:lease
    KEYS[7]  delayed zset    {name}:delay
    KEYS[8]  dead zset       {name}:dead
    KEYS[9]  state hash      {name}:state
    KEYS[10] marker list     {name}:marker
    KEYS[11] stats hash      {name}:stats   fields added, pulled

  Output:
    { queued, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled, now }
    where cooling counts deadlines after now, cooldownsDue the ended ones a sweep removes,
    and now is the server clock in epoch ms
]]
--- @include "includes/common"

local now = serverNowMs()
local cooldowns = redis.call('ZCARD', KEYS[4])
local cooling = cooldowns == 0 and 0 or redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf')
local counts = redis.call('HMGET', KEYS[11], 'added', 'pulled')
return {
  redis.call('ZCARD', KEYS[2]),
  redis.call('SCARD', KEYS[3]),
  cooling,
  cooldowns - cooling,
  redis.call('ZCARD', KEYS[6]),
  redis.call('ZCARD', KEYS[7]),
  redis.call('ZCARD', KEYS[8]),
  tonumber(counts[1]) or 0,
  tonumber(counts[2]) or 0,
  now,
}
