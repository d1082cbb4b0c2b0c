--[[
  The worker registry of a prefix, read at one moment: every worker's description and last
  beat, the paused objects, and the totals of what workers finished per object.

  Input (KEYS: the namedKeys line below): none

  Output:
    { server now (ms), { id, description, last beat (ms), ... }, { object, paused at (ms), ... },
      { outcome|object, total, ... } }
]]
--- @include "keys"
--- @include "time"

local K = namedKeys('info', 'beats', 'paused', 'totals')

local now = serverNowMs()
local beats = redis.call('ZRANGE', K.beats, 0, -1, 'WITHSCORES')
local workers = {}
if #beats > 0 then
  local ids = {}
  for i = 1, #beats, 2 do ids[#ids + 1] = beats[i] end
  local descriptions = redis.call('HMGET', K.info, unpack(ids))
  for i = 1, #ids do
    if descriptions[i] then
      workers[#workers + 1] = ids[i]
      workers[#workers + 1] = descriptions[i]
      workers[#workers + 1] = beats[2 * i]
    end
  end
end
return { now, workers, redis.call('HGETALL', K.paused), redis.call('HGETALL', K.totals) }
