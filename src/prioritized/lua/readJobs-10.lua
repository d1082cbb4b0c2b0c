--[[
  Reads leased, delayed or dead jobs by rank, in the order of their set's score: leases by
  deadline, delayed jobs by due time, dead letters by time of death (no raw command but psdead).

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

    ARGV[1] which: leases | delayed | dead
    ARGV[2] start rank, ARGV[3] stop rank (inclusive, -1: the last)
    ARGV[4] values: 1 reads each job's value, 0 does not (false in its place)

  Output:
    flat key, value, score, state JSON, key, ...
]]
--- @include "includes/common"

local sets = { leases = KEYS[6], delayed = KEYS[7], dead = KEYS[8] }
local set = sets[ARGV[1]]
if set == nil then return grError('EINVAL', 'which must be leases, delayed or dead') end
local start = toInteger(ARGV[2], -9007199254740991, 9007199254740991)
local stop = toInteger(ARGV[3], -9007199254740991, 9007199254740991)
if start == nil or stop == nil then return grError('EINVAL', 'start and stop must be integers') end
local range = redis.call('ZRANGE', set, start, stop, 'WITHSCORES')
local keys = keysOf(range)
if #keys == 0 then return {} end
local values = ARGV[4] == '1' and valuesOf(KEYS[1], keys) or {}
local states = callCollect('HMGET', KEYS[9], keys)
local out = {}
for i = 1, #keys do
  out[#out + 1] = keys[i]
  out[#out + 1] = values[i] or false
  out[#out + 1] = range[2 * i]
  out[#out + 1] = states[i]
end
return out
