--[[
  Pauses or resumes the consumption of one object by every Worker of the prefix: a field of the
  paused hash, with the server's time; Workers read it with each heartbeat.

  Input (KEYS: the namedKeys line below):
    ARGV[1] the object, `family/name`
    ARGV[2] 1 to pause, 0 to resume

  Output:
    1 when this changed the flag, 0 when it was already so
]]
--- @include "keys"
--- @include "time"

local K = namedKeys('paused')

if ARGV[2] == '1' then
  return redis.call('HSETNX', K.paused, ARGV[1], serverNowMs())
end
return redis.call('HDEL', K.paused, ARGV[1])
