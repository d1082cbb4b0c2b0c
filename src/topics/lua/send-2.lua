--[[
  Appends messages to one partition, in order, then trims it safely when asked (see
  trimSafely: never an entry a group has not acknowledged), counting them in the partition's
  stats hash (`added`).

  Input (KEYS: the namedKeys line below):
    ARGV[1] maxLen (0: no trimming)
    ARGV[2] 1 to trim approximately (whole macro nodes), 0 exactly
    ARGV[3..] per message three arguments: the encoded value; "=" .. key, or "" for none;
              the headers as JSON, or "" for none

  Output:
    the entry ids, in order
]]
--- @include "keys"
--- @include "topic"
--- @include "counts"

local K = namedKeys('log', 'stats')

local maxLen = toInteger(ARGV[1], 0, 9007199254740991)
if maxLen == nil then return grError('EINVAL', 'maxLen must be a whole number') end
if (#ARGV - 2) % 3 ~= 0 then return grError('EINVAL', 'each message takes three arguments') end
local ids = {}
for i = 3, #ARGV, 3 do
  local entry = { 'v', ARGV[i] }
  local key, headers = ARGV[i + 1], ARGV[i + 2]
  if key ~= '' then
    entry[#entry + 1] = 'k'
    entry[#entry + 1] = string.sub(key, 2)
  end
  if headers ~= '' then
    entry[#entry + 1] = 'h'
    entry[#entry + 1] = headers
  end
  ids[#ids + 1] = redis.call('XADD', K.log, '*', unpack(entry))
end
countAdded(K.stats, #ids)
if maxLen > 0 then trimSafely(K.log, maxLen, ARGV[2] == '1') end
return ids
