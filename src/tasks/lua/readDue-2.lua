--[[
  The schedules due now (server clock), at most `limit`, soonest first: what a scheduler tick
  reads, whatever the number of schedules (one ZRANGEBYSCORE, one HMGET of those due).

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit

  Output:
    { now (server ms), then triples: schedule id, its due time, its JSON (false when gone) }
]]
--- @include "keys"
--- @include "numbers"
--- @include "errors"
--- @include "time"

local K = namedKeys('due', 'sched')

local limit = toInteger(ARGV[1], 1, 10000)
if not limit then return grError('EINVAL', 'bad limit') end
local now = serverNowMs()
local due = redis.call('ZRANGEBYSCORE', K.due, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
local out = { now }
if #due == 0 then return out end
local ids = {}
for i = 1, #due, 2 do ids[#ids + 1] = due[i] end
local bodies = redis.call('HMGET', K.sched, unpack(ids))
for i = 1, #ids do
  out[#out + 1] = ids[i]
  out[#out + 1] = due[i * 2]
  out[#out + 1] = bodies[i]
end
return out
