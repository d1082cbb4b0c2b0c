--[[
  One step of an incremental scan over the stream (ZSCAN), values and priorities included.

  Input (KEYS: the namedKeys line below):
    ARGV[1] cursor ("0" to start)
    ARGV[2] COUNT hint (integer 1..10000)

  Output:
    { next cursor ("0" when done), { key1, value1, priority1, key2, ... } }
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('items', 'scores', 'meta')

local count = toInteger(ARGV[2], 1, 10000)
if count == nil then return grError('EINVAL', 'count must be an integer from 1 to 10000') end
local page = redis.call('ZSCAN', K.scores, ARGV[1], 'COUNT', count)
local flat = page[2]
local base = readBase(K.meta)
local out = {}
for i = 1, #flat, 2 do
  local value = redis.call('HGET', K.items, flat[i])
  if value then
    out[#out + 1] = flat[i]
    out[#out + 1] = value
    out[#out + 1] = fmt(base - tonumber(flat[i + 1]))
  end
end
return { page[1], out }
