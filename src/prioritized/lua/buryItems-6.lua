--[[
  Sends jobs whose value the client could not decode to the dead letters, with the error the
  client gives, so one bad value never holds up the others it was read with; the dead letters
  are then trimmed to their caps.

  Input (KEYS: the namedKeys line below):
    ARGV[1] from: leased | pulled
    ARGV[2] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    leased: ARGV[3..] key, leaseId, error triples: each job whose lease is still held leaves
            the leases for the dead letters (a lease no longer held is skipped)
    pulled: ARGV[3..] key, value, priority, error quadruples: each item a pull took out is
            stored again as a dead letter, unless its key was queued, leased, delayed or
            dead again since (that newer item wins)

  Output:
    the keys dead-lettered
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'leases', 'delayed', 'dead', 'state')

local from = ARGV[1]
local width = from == 'leased' and 3 or from == 'pulled' and 4 or nil
if width == nil then return grError('EINVAL', 'from must be leased or pulled') end
local deadLimit, deadAge = deadCaps(ARGV[2])
if deadLimit == nil then return grError('EINVAL', 'the dead letters\' caps must be <limit>:<max age ms>') end
if (#ARGV - 2) % width ~= 0 then return grError('EINVAL', 'wrong number of arguments for ' .. from) end

local now, buried, states = serverNowMs(), {}, {}
if from == 'leased' then
  local keys, ids, errors = {}, {}, {}
  for i = 3, #ARGV, 3 do
    keys[#keys + 1], ids[#ids + 1], errors[#errors + 1] = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  end
  local raw = callCollect('HMGET', K.state, keys)
  for i = 1, #keys do
    local st = decodeState(raw[i])
    if st.l ~= nil and st.l == ids[i] then
      st.l, st.o, st.e = nil, nil, errors[i]
      buried[#buried + 1], states[#states + 1] = keys[i], st
    end
  end
  callChunked('ZREM', K.leases, buried)
else
  for i = 3, #ARGV, 4 do
    local key = ARGV[i]
    local elsewhere = redis.call('ZSCORE', K.scores, key) or redis.call('ZSCORE', K.leases, key)
      or redis.call('ZSCORE', K.delayed, key) or redis.call('ZSCORE', K.dead, key)
    if not elsewhere then
      redis.call('HSET', K.items, key, ARGV[i + 1])
      buried[#buried + 1] = key
      states[#states + 1] = { a = 0, m = 0, p = ARGV[i + 2], e = ARGV[i + 3] }
    end
  end
end
zaddAll(K.dead, now, buried)
saveStates(K.state, buried, states)
if #buried > 0 then trimDeadJobs(K, now, deadLimit, deadAge) end
return buried
