--[[
  Settles pool leases, all or nothing: when any named lease is no longer held (it ran out and
  the item was leased again, or the item left the pool), nothing changes and the reply is
  ELEASE.
    ack     the item is due again at now + ms, or now if it was re-added during the lease
    extend  the lease ends at now + ms
    remove  the item leaves the pool

  Input (KEYS: the namedKeys line below):
    ARGV[1] action: ack | extend | remove
    ARGV[2] ms (ack: ackValidForMs; extend: the new lease; remove: unused)
    ARGV[3..] item, lease id pairs

  Output:
    how many leases were settled
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('pool', 'poolLeases', 'poolReadded', 'poolMarker')

local action = ARGV[1]
if action ~= 'ack' and action ~= 'extend' and action ~= 'remove' then return grError('EINVAL', 'action must be ack, extend or remove') end
local ms = toInteger(ARGV[2], 0, 9007199254740991)
if ms == nil then return grError('EINVAL', 'ms must be an integer >= 0') end
if (#ARGV - 2) % 2 ~= 0 then return grError('EINVAL', 'leases must be item, lease id pairs') end
local items, ids = {}, {}
for i = 3, #ARGV, 2 do
  items[#items + 1] = ARGV[i]
  ids[#ids + 1] = ARGV[i + 1]
end
if #items == 0 then return 0 end
local held = callCollect('HMGET', K.poolLeases, items)
local lost = {}
for i = 1, #items do
  if held[i] ~= ids[i] then lost[#lost + 1] = items[i] end
end
if #lost > 0 then return grError('ELEASE', 'the pool lease is no longer held for ' .. table.concat(lost, ', ', 1, math.min(#lost, 10))) end
local now = serverNowMs()
local before = firstDue(K.pool)
if action == 'extend' then
  zaddAll(K.pool, now + ms, items)
  if ms == 0 then signalWork(K.poolMarker) else signalIfSooner(K, before) end
  return #items
end
callChunked('HDEL', K.poolLeases, items)
local readded = {}
if redis.call('EXISTS', K.poolReadded) == 1 then
  local flags = callCollect('SMISMEMBER', K.poolReadded, items)
  for i = 1, #items do
    if flags[i] == 1 then readded[items[i]] = true end
  end
  callChunked('SREM', K.poolReadded, items)
end
if action == 'remove' then
  callChunked('ZREM', K.pool, items)
  return #items
end
local later, soon = {}, {}
for i = 1, #items do
  if readded[items[i]] then soon[#soon + 1] = items[i] else later[#later + 1] = items[i] end
end
zaddAll(K.pool, now + ms, later)
zaddAll(K.pool, now, soon)
if #soon > 0 then signalWork(K.poolMarker) else signalIfSooner(K, before) end
return #items
