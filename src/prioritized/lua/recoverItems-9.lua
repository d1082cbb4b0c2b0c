--[[
  Recovers up to `limit` expired leases (back to the stream with their attempt count, or to
  the dead letters when out of attempts) and up to `limit` due delayed jobs. Callers repeat
  while a count reaches `limit`.

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit (integer 1..10000)
    ARGV[2] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`

  Output:
    { returned, died, promoted }
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker')

local limit = toInteger(ARGV[1], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local deadLimit, deadAge = deadCaps(ARGV[2])
if deadLimit == nil then return grError('EINVAL', 'the dead letters\' caps must be <limit>:<max age ms>') end
local returned, died, promoted = recoverDue(K, serverNowMs(), readBase(K.meta), limit, deadLimit, deadAge)
return { returned, died, promoted }
