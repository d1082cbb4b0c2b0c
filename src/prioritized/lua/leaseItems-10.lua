--[[
  Leases up to `count` items, highest priority first: they leave the scores zset for the
  leases zset with a deadline on the server clock, keep their value, and get an attempt
  number and a lease id. First, up to `recoverLimit` expired leases and due delayed jobs go
  back (or, out of attempts, to the dead letters).

  Input (KEYS: the namedKeys line below):
    ARGV[1] count (integer 1..10000)
    ARGV[2] leaseMs (integer >= 1)
    ARGV[3] maxAttempts (integer >= 0; 0: unlimited), recorded in each job's state
    ARGV[4] recoverLimit (integer 0..10000)
    ARGV[5] owner: who holds the leases (a worker id), recorded in each job's state; "" for none
    ARGV[6] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`

  Output:
    { { key1, value1, priority1, attempt1, leaseId1, key2, ... }, wakeInMs }
    where wakeInMs is when the next lease expires or delayed job is due, from now (-1: none)
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker', 'stats')

local count = toInteger(ARGV[1], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
local leaseMs = toInteger(ARGV[2], 1, 9007199254740991)
if leaseMs == nil then return grError('EINVAL', 'leaseMs must be an integer >= 1') end
local maxAttempts = toInteger(ARGV[3], 0, 9007199254740991)
if maxAttempts == nil then return grError('EINVAL', 'maxAttempts must be an integer >= 0') end
local recoverLimit = toInteger(ARGV[4], 0, 10000)
if recoverLimit == nil then return grError('EINVAL', 'recoverLimit must be an integer from 0 to 10000') end
local deadLimit, deadAge = deadCaps(ARGV[6])
if deadLimit == nil then return grError('EINVAL', 'the dead letters\' caps must be <limit>:<max age ms>') end

local now = serverNowMs()
local base = readBase(K.meta)
if recoverLimit > 0 then recoverDue(K, now, base, recoverLimit, deadLimit, deadAge) end

local out = {}
local range = redis.call('ZPOPMIN', K.scores, count)
if #range > 0 then
  local keys = keysOf(range)
  local values = valuesOf(K.items, keys)
  local raw = callCollect('HMGET', K.state, keys)
  -- Lease ids: the lease counter, prefixed by the server clock in microseconds, so that ids
  -- stay unique across the stream's lifetimes (delete() drops the counter with the stream).
  local seq = nextInSequence(K.meta, 'lseq')
  local t = redis.call('TIME')
  local idPrefix = t[1] .. string.format('%06d', tonumber(t[2])) .. '-' .. seq .. '-'
  -- A first delivery has no state yet: its JSON is written directly (the common case, and the
  -- cheapest); a job leased before keeps its other fields (its last error) through cjson.
  local owner = (ARGV[5] ~= nil and ARGV[5] ~= '') and ARGV[5] or nil
  local ownerField = owner and (',"o":' .. cjson.encode(owner)) or ''
  local fields = {}
  for i = 1, #keys do
    local priority = fmt(base - tonumber(range[2 * i]))
    local leaseId = idPrefix .. i
    local attempt
    if raw[i] then
      local st = decodeState(raw[i])
      st.a = (st.a or 0) + 1
      st.m = maxAttempts
      st.p = priority
      st.l = leaseId
      st.o = owner
      attempt = st.a
      fields[#fields + 1] = keys[i]
      fields[#fields + 1] = cjson.encode(st)
    else
      attempt = 1
      fields[#fields + 1] = keys[i]
      fields[#fields + 1] = '{"a":1,"m":' .. maxAttempts .. ',"p":"' .. priority .. '","l":"' .. leaseId .. '"' .. ownerField .. '}'
    end
    out[#out + 1] = keys[i]
    out[#out + 1] = values[i]
    out[#out + 1] = priority
    out[#out + 1] = attempt
    out[#out + 1] = leaseId
  end
  zaddAll(K.leases, now + leaseMs, keys)
  callChunked('HSET', K.state, fields)
  countStat(K.stats, 'pulled', #keys)
end

-- Keep the marker only while there is something to lease, so idle workers block.
if redis.call('EXISTS', K.scores) == 1 then signalWork(K.marker) else redis.call('DEL', K.marker) end

local wake = -1
for _, pending in ipairs({ K.leases, K.delayed }) do
  local first = redis.call('ZRANGE', pending, 0, 0, 'WITHSCORES')
  if first[2] then
    local inMs = math.max(0, tonumber(first[2]) - now)
    if wake < 0 or inMs < wake then wake = inMs end
  end
end
return { out, wake }
