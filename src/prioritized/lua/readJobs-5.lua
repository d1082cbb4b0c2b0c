--[[
  Reads leased, delayed or dead jobs by rank, in the order of their set's score: leases by
  deadline, delayed jobs by due time, dead letters by time of death (no raw command but psdead).

  Input (KEYS: the namedKeys line below):
    ARGV[1] which: leases | delayed | dead
    ARGV[2] start rank, ARGV[3] stop rank (inclusive, -1: the last)
    ARGV[4] values: 1 reads each job's value, 0 does not (false in its place)

  Output:
    flat key, value, score, state JSON, key, ...
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'leases', 'delayed', 'dead', 'state')

local sets = { leases = K.leases, delayed = K.delayed, dead = K.dead }
local set = sets[ARGV[1]]
if set == nil then return grError('EINVAL', 'which must be leases, delayed or dead') end
local start = toInteger(ARGV[2], -9007199254740991, 9007199254740991)
local stop = toInteger(ARGV[3], -9007199254740991, 9007199254740991)
if start == nil or stop == nil then return grError('EINVAL', 'start and stop must be integers') end
local range = redis.call('ZRANGE', set, start, stop, 'WITHSCORES')
local keys = keysOf(range)
if #keys == 0 then return {} end
local values = ARGV[4] == '1' and valuesOf(K.items, keys) or {}
local states = callCollect('HMGET', K.state, keys)
local out = {}
for i = 1, #keys do
  out[#out + 1] = keys[i]
  out[#out + 1] = values[i] or false
  out[#out + 1] = range[2 * i]
  out[#out + 1] = states[i]
end
return out
