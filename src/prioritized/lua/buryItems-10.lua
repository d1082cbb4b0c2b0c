--[[
  Sends jobs whose value the client could not decode to the dead letters, with the error the
  client gives, so one bad value never holds up the others it was read with.

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    fields base, lseq
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker

    ARGV[1] from: leased | pulled
    leased: ARGV[2..] key, leaseId, error triples: each job whose lease is still held leaves
            the leases for the dead letters (a lease no longer held is skipped)
    pulled: ARGV[2..] key, value, priority, error quadruples: each item a pull took out is
            stored again as a dead letter, unless its key was queued, leased, delayed or
            dead again since (that newer item wins)

  Output:
    the keys dead-lettered
]]
--- @include "includes/common"
--- @include "includes/jobs"

local from = ARGV[1]
local width = from == 'leased' and 3 or from == 'pulled' and 4 or nil
if width == nil then return grError('EINVAL', 'from must be leased or pulled') end
if (#ARGV - 1) % width ~= 0 then return grError('EINVAL', 'wrong number of arguments for ' .. from) end

local now, buried, states = serverNowMs(), {}, {}
if from == 'leased' then
  local keys, ids, errors = {}, {}, {}
  for i = 2, #ARGV, 3 do
    keys[#keys + 1], ids[#ids + 1], errors[#errors + 1] = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  end
  local raw = callCollect('HMGET', KEYS[9], keys)
  for i = 1, #keys do
    local st = decodeState(raw[i])
    if st.l ~= nil and st.l == ids[i] then
      st.l, st.o, st.e = nil, nil, errors[i]
      buried[#buried + 1], states[#states + 1] = keys[i], st
    end
  end
  callChunked('ZREM', KEYS[6], buried)
else
  for i = 2, #ARGV, 4 do
    local key = ARGV[i]
    local elsewhere = redis.call('ZSCORE', KEYS[2], key) or redis.call('ZSCORE', KEYS[6], key)
      or redis.call('ZSCORE', KEYS[7], key) or redis.call('ZSCORE', KEYS[8], key)
    if not elsewhere then
      redis.call('HSET', KEYS[1], key, ARGV[i + 1])
      buried[#buried + 1] = key
      states[#states + 1] = { a = 0, m = 0, p = ARGV[i + 2], e = ARGV[i + 3] }
    end
  end
end
zaddAll(KEYS[8], now, buried)
saveStates(buried, states)
return buried
