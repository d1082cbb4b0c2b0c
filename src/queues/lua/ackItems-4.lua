--[[
  Ends deliveries for good and clears their values' rollback counters. All or nothing: when any
  named delivery is no longer held (acked, rejected, dropped, re-enqueued), nothing changes and
  the reply is ELEASE.

  Input (KEYS: the namedKeys line below):
    ARGV[1..] delivery ids

  Output:
    how many deliveries were acknowledged
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('held', 'deliveries', 'rollbacks', 'rollbackTimes')

if #ARGV == 0 then return 0 end
local ids = {}
for i = 1, #ARGV do ids[i] = ARGV[i] end
local stored = callCollect('HMGET', K.deliveries, ids)
local lost = {}
for i = 1, #ids do
  if not stored[i] then lost[#lost + 1] = ids[i] end
end
if #lost > 0 then return grError('ELEASE', 'no longer held: ' .. table.concat(lost, ', ', 1, math.min(#lost, 10))) end
endDeliveries(K, ids)
if redis.call('EXISTS', K.rollbacks) == 1 then
  local values = {}
  for i = 1, #stored do values[i] = (splitDelivery(stored[i])) end
  callChunked('HDEL', K.rollbacks, values)
  callChunked('ZREM', K.rollbackTimes, values)
end
return #ids
