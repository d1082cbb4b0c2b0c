--[[
  Hands back a consumer's deliveries to the head, in hand-out order: those one getItems call
  made, when its reply was lost (the connection dropped, or WAIT fell short), or all of them
  when the consumer closes (and then removes it). Idempotent: a second call finds nothing.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2] consumer id
    ARGV[3] call id, or "" for every delivery of the consumer
    ARGV[4] 1: remove the consumer too; 0: keep it
    ARGV[5] with no call id, the most deliveries to hand back (1 to 10000; call again while it
            returns that many)

  Output:
    how many deliveries were handed back
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'marker')

local consumer = ARGV[2]
if consumer == nil or consumer == '' then return grError('EINVAL', 'consumer id must be a non-empty string') end
if ARGV[4] == '1' then
  redis.call('ZREM', K.consumers, consumer)
  redis.call('HDEL', K.consumerInfo, consumer)
end
local low, high = heldRange(consumer)
local suffix = '|' .. ARGV[3]
local mine = {}
local range
if ARGV[3] == '' then
  local limit = toInteger(ARGV[5], 1, 10000)
  if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
  range = redis.call('ZRANGEBYLEX', K.held, low, high, 'LIMIT', 0, limit)
else
  range = redis.call('ZRANGEBYLEX', K.held, low, high)
end
for _, id in ipairs(range) do
  if ARGV[3] == '' or string.sub(id, -#suffix) == suffix then mine[#mine + 1] = id end
end
if #mine == 0 then return 0 end
local stored = callCollect('HMGET', K.deliveries, mine)
local values = {}
for i = 1, #mine do
  if stored[i] then values[#values + 1] = (splitDelivery(stored[i])) end
end
endDeliveries(K, mine)
pushToHead(K, ARGV[1] == 'unique', false, values)
return #mine
