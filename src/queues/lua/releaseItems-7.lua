--[[
  Hands back a consumer's deliveries to the head, in hand-out order: those one getItems call
  made, when its reply was lost (the connection dropped, or WAIT fell short); those it no longer
  runs (stale: every one but the deliveries it names and those of its calls still in flight,
  found by its heartbeat after an ack whose outcome stayed unknown, or that a failover lost); or
  all of them when the consumer closes (and then removes it). Idempotent: a second call finds
  nothing.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2] consumer id
    ARGV[3] which: call | stale | all
    ARGV[4] 1: remove the consumer too; 0: keep it
    ARGV[5] with all, the most deliveries to hand back (1 to 10000; call again while it returns
            that many)
    ARGV[6..] with call, the call id; with stale, how many call ids follow (the consumer's calls
            still in flight), those call ids, then the delivery ids the consumer still runs

  Output:
    how many deliveries were handed back
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'marker')

local consumer = ARGV[2]
if consumer == nil or consumer == '' then return grError('EINVAL', 'consumer id must be a non-empty string') end
local low, high = heldRange(consumer)
local which = ARGV[3]
local mine = {}
if which == 'all' then
  local limit = toInteger(ARGV[5], 1, 10000)
  if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
  mine = redis.call('ZRANGEBYLEX', K.held, low, high, 'LIMIT', 0, limit)
elseif which == 'call' then
  local suffix = '|' .. (ARGV[6] or '')
  for _, id in ipairs(redis.call('ZRANGEBYLEX', K.held, low, high)) do
    if string.sub(id, -#suffix) == suffix then mine[#mine + 1] = id end
  end
elseif which == 'stale' then
  local calls = toInteger(ARGV[6], 0, #ARGV - 6)
  if calls == nil then return grError('EINVAL', 'bad stale arguments') end
  local inFlight, runs = {}, {}
  for i = 7, 6 + calls do inFlight[ARGV[i]] = true end
  for i = 7 + calls, #ARGV do runs[ARGV[i]] = true end
  for _, id in ipairs(redis.call('ZRANGEBYLEX', K.held, low, high)) do
    local call = string.match(id, '|([^|]*)$')
    if not runs[id] and not (call and inFlight[call]) then mine[#mine + 1] = id end
  end
else
  return grError('EINVAL', 'which must be call, stale or all')
end
if ARGV[4] == '1' then
  redis.call('ZREM', K.consumers, consumer)
  redis.call('HDEL', K.consumerInfo, consumer)
end
if #mine == 0 then return 0 end
local values = deliveryValues(K, mine)
endDeliveries(K, mine)
pushToHead(K, ARGV[1] == 'unique', false, values)
return #mine
