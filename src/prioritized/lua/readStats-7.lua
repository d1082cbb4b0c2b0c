--[[
  Counts what one stream holds, in one consistent snapshot (no raw command).

  Input (KEYS: the namedKeys line below):
  Output:
    { queued, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled, now }
    where cooling counts deadlines after now, cooldownsDue the ended ones a sweep removes,
    and now is the server clock in epoch ms
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('scores', 'gated', 'cooldowns', 'leases', 'delayed', 'dead', 'stats')

local now = serverNowMs()
local cooldowns = redis.call('ZCARD', K.cooldowns)
local cooling = cooldowns == 0 and 0 or redis.call('ZCOUNT', K.cooldowns, '(' .. now, '+inf')
local counts = redis.call('HMGET', K.stats, 'added', 'pulled')
return {
  redis.call('ZCARD', K.scores),
  redis.call('SCARD', K.gated),
  cooling,
  cooldowns - cooling,
  redis.call('ZCARD', K.leases),
  redis.call('ZCARD', K.delayed),
  redis.call('ZCARD', K.dead),
  tonumber(counts[1]) or 0,
  tonumber(counts[2]) or 0,
  now,
}
