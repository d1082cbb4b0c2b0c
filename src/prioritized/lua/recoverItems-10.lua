--[[
  Recovers up to `limit` expired leases (back to the stream with their attempt count, or to
  the dead letters when out of attempts) and up to `limit` due delayed jobs. Callers repeat
  while a count reaches `limit`.

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    fields base, lseq
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker

    ARGV[1] limit (integer 1..10000)

  Output:
    { returned, died, promoted }
]]
--- @include "includes/common"
--- @include "includes/jobs"

local limit = toInteger(ARGV[1], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local returned, died, promoted = recoverDue(serverNowMs(), readBase(KEYS[5]), limit)
return { returned, died, promoted }
