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
if what == 'values' then return valuesOf(KEYS[1], redis.call('ZRANGE', KEYS[2], start, stop)) end
return (entriesOf(KEYS[1], redis.call('ZRANGE', KEYS[2], start, stop, 'WITHSCORES'), readBase(KEYS[3])))
