--[[
  Leases up to `count` items whose due time has passed (an expired lease makes its item due
  again), earliest first (equal times: ascending bytes). Each lease ends at now + ttlMs, so an
  item is never leased twice at once, and gets a new id.

  Input (KEYS: the namedKeys line below):
    ARGV[1] count (1 to 10000)
    ARGV[2] ttlMs (the lease, >= 1)

  Output:
    { { lease id, item, ... }, ms until the next item falls due (-1: none) }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('pool', 'poolLeases', 'poolReadded', 'poolMarker', 'meta')

local count = toInteger(ARGV[1], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
local ttl = toInteger(ARGV[2], 1, 9007199254740991)
if ttl == nil then return grError('EINVAL', 'the lease must be an integer of ms >= 1') end
local bad = kindMismatch(K.meta, 'pool')
if bad then return bad end
local now = serverNowMs()
local due = redis.call('ZRANGEBYSCORE', K.pool, '-inf', now, 'LIMIT', 0, count)
local out = {}
if #due > 0 then
  local last = nextInSequence(K.meta, 'lseq', #due)
  local prefix = redis.call('TIME')[1] .. '-'
  local fields = {}
  for i = 1, #due do
    local id = prefix .. (last - #due + i)
    fields[#fields + 1] = due[i]
    fields[#fields + 1] = id
    out[#out + 1] = id
    out[#out + 1] = due[i]
  end
  callChunked('HSET', K.poolLeases, fields)
  zaddAll(K.pool, now + ttl, due)
  -- Re-added during an expired lease: this lease covers it.
  if redis.call('EXISTS', K.poolReadded) == 1 then callChunked('SREM', K.poolReadded, due) end
end
local first = redis.call('ZRANGE', K.pool, 0, 0, 'WITHSCORES')
local wake = -1
if first[2] then wake = math.max(0, tonumber(first[2]) - now) end
if wake == 0 then signalWork(K.poolMarker) else redis.call('DEL', K.poolMarker) end
return { out, wake }
