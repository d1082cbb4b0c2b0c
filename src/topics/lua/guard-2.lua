--[[
  The fence of a partition's fast read, under 'partition' ordering: sent in one MULTI with the
  XREADGROUP that reads new entries, so both run as one step. Answers ok when the caller holds
  the partition's lease and nothing of the group is pending there (so new entries are next in
  log order); otherwise the caller gives back what that XREADGROUP read (release) and fetches
  with fetch-4.lua, which deals with pending entries first.

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] incarnation

  Output:
    "ok", "slow" (entries are pending: use the fetch script) or "lost" (not the caller's lease)
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'own')

local holder = redis.call('HMGET', K.own, 'member', 'incarnation', 'until')
if holder[1] ~= ARGV[2] or holder[2] ~= ARGV[3] or tonumber(holder[3]) < serverNowMs() then return 'lost' end
if redis.call('XPENDING', K.log, ARGV[1])[1] > 0 then return 'slow' end
return 'ok'
