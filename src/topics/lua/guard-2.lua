--[[
  The fence of a partition's fast read, under 'partition' ordering: sent in one MULTI with the
  XREADGROUP that reads new entries, so both run as one step. Answers ok when the caller holds
  the partition's lease and nothing of the group is pending there (so new entries are next in
  log order); otherwise the caller gives back what that XREADGROUP read (release) and fetches
  with fetch-4.lua, which deals with pending entries first.

  The partition's read epoch (`epoch` in the lease hash, never reset: a released lease keeps
  it) counts every script that can add to the group's pending entries or change who holds one
  or its delivery count: this guard, the fetch script and the release. An ack that names a
  whole unit read under epoch e, while the epoch is still e, knows those entries are the only
  ones pending, each still the caller's first delivery (ack-3.lua's fast check).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] incarnation

  Output:
    the new epoch (ok: read), "slow" (entries are pending: use the fetch script) or "lost" (not the caller's lease)
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'own')

local holder = redis.call('HMGET', K.own, 'member', 'incarnation', 'until', 'epoch')
-- The XREADGROUP after this script reads whatever it answers: a new epoch first (unless there is
-- no lease hash at all: a deleted topic gets no key back).
if not holder[1] and not holder[4] then return 'lost' end
local epoch = nextInSequence(K.own, 'epoch')
if holder[1] ~= ARGV[2] or holder[2] ~= ARGV[3] or (tonumber(holder[3]) or 0) < serverNowMs() then return 'lost' end
-- Entries pending, or the group gone from the log (the fetch script makes it again): the slow way.
local summary = groupPending(K.log, ARGV[1])
if not summary or summary[1] > 0 then return 'slow' end
return epoch
