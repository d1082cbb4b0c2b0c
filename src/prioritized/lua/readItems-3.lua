--[[
  Reads a range of the stream in pull order (pskeys, psvalues, and entries).

  Input (KEYS: the namedKeys line below):
    ARGV[1] what: keys | values | entries
    ARGV[2] start rank (0 is the highest priority; negative counts from the end)
    ARGV[3] stop rank, inclusive (-1 is the last)

  Output:
    keys: key1, key2, ...; values: value1, value2, ...;
    entries: key1, value1, priority1, key2, ...
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'scores', 'meta')

local what = ARGV[1]
if what ~= 'keys' and what ~= 'values' and what ~= 'entries' then
  return grError('EINVAL', 'what must be keys, values or entries')
end
local start = toInteger(ARGV[2] or '0', -9007199254740991, 9007199254740991)
local stop = toInteger(ARGV[3] or '-1', -9007199254740991, 9007199254740991)
if start == nil or stop == nil then return grError('EINVAL', 'start and stop must be integers') end

if what == 'keys' then return redis.call('ZRANGE', K.scores, start, stop) end
if what == 'values' then return valuesOf(K.items, redis.call('ZRANGE', K.scores, start, stop)) end
return (entriesOf(K.items, redis.call('ZRANGE', K.scores, start, stop, 'WITHSCORES'), readBase(K.meta)))
