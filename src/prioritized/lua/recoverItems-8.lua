--[[
  Recovers up to `limit` expired leases (back to the stream with their attempt count, or to
  the dead letters when out of attempts) and up to `limit` due delayed jobs. Callers repeat
  while a count reaches `limit`.

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit (integer 1..10000)

  Output:
    { returned, died, promoted }
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker')

local limit = toInteger(ARGV[1], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local returned, died, promoted = recoverDue(K, serverNowMs(), readBase(K.meta), limit)
return { returned, died, promoted }
