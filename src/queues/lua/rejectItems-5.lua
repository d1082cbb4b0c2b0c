--[[
  Gives deliveries back to the head of the queue: the first named is handed out next. A
  UniqueQueue does not wait twice for one value. All or nothing, ELEASE as for an ack.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2..] delivery ids

  Output:
    how many deliveries were given back
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'held', 'deliveries', 'marker')

if #ARGV < 2 then return 0 end
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local values, lost = deliveryValues(K, ids)
if #lost > 0 then return grError('ELEASE', 'no longer held: ' .. table.concat(lost, ', ', 1, math.min(#lost, 10))) end
endDeliveries(K, ids)
pushToHead(K, ARGV[1] == 'unique', false, values)
return #ids
