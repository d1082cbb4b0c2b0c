--[[
  A group's lease of one partition: the fence. Only one member holds it at a time.
    acquire: succeeds when the lease is free, expired, or held by the same member id (a
             restarted static member takes its lease over with its new incarnation);
    renew:   extends it when the caller (member and incarnation) still holds it;
    release: frees it when the caller holds it.

  Input (KEYS: the namedKeys line below):
    ARGV[1] acquire | renew | release
    ARGV[2] member id
    ARGV[3] incarnation (a token per join)
    ARGV[4] how long the lease lasts from now, in ms (acquire, renew)

  Output:
    1 done, 0 refused (held by another member, or no longer the caller's)
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('own')

local action, member, incarnation = ARGV[1], ARGV[2], ARGV[3]
local ms = toInteger(ARGV[4], 0, 9007199254740991)
if ms == nil then return grError('EINVAL', 'the lease duration must be a whole number of ms') end
local held = redis.call('HMGET', K.own, 'member', 'incarnation', 'until')
local now = serverNowMs()
if action == 'acquire' then
  if held[1] and held[1] ~= member and (tonumber(held[3]) or 0) >= now then return 0 end -- an unreadable `until` has ended
elseif action == 'renew' or action == 'release' then
  if held[1] ~= member or held[2] ~= incarnation then return 0 end
  if action == 'release' then
    redis.call('HDEL', K.own, 'member', 'incarnation', 'until') -- the read epoch stays (guard-2.lua)
    return 1
  end
else
  return grError('EINVAL', 'unknown lease action ' .. tostring(action))
end
redis.call('HSET', K.own, 'member', member, 'incarnation', incarnation, 'until', now + ms)
return 1
