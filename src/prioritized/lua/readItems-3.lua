--[[
  Reads a range of the stream in pull order (pskeys, psvalues, and entries).

  Input:
    KEYS[1] items hash   {name}:t
    KEYS[2] scores zset  {name}:s
    KEYS[3] meta hash    {name}:meta

    ARGV[1] what: keys | values | entries
    ARGV[2] start rank (0 is the highest priority; negative counts from the end)
    ARGV[3] stop rank, inclusive (-1 is the last)

  Output:
    keys: key1, key2, ...; values: value1, value2, ...;
    entries: key1, value1, priority1, key2, ...
]]
--- @include "includes/common"

local what = ARGV[1]
if what ~= 'keys' and what ~= 'values' and what ~= 'entries' then
  return grError('EINVAL', 'what must be keys, values or entries')
end
local start = toInteger(ARGV[2] or '0', -9007199254740991, 9007199254740991)
local stop = toInteger(ARGV[3] or '-1', -9007199254740991, 9007199254740991)
if start == nil or stop == nil then return grError('EINVAL', 'start and stop must be integers') end

if what == 'keys' then return redis.call('ZRANGE', KEYS[2], start, stop) end
local range = redis.call('ZRANGE', KEYS[2], start, stop, 'WITHSCORES')
local keys = {}
for i = 1, #range, 2 do keys[#keys + 1] = range[i] end
local values = {}
for i = 1, #keys, 1000 do
  local slice = redis.call('HMGET', KEYS[1], unpack(keys, i, math.min(i + 999, #keys)))
  for j = 1, #slice do values[#values + 1] = slice[j] end
end
if what == 'values' then return values end
local base = readBase(KEYS[3])
local out = {}
for i = 1, #keys do
  out[#out + 1] = keys[i]
  out[#out + 1] = values[i]
  out[#out + 1] = fmt(base - tonumber(range[2 * i]))
end
return out
