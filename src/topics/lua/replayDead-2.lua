--[[
  Replays a group's dead letters of one partition: each is taken out of the dead letters and
  appended again to the partition with g = the group, so only that group receives it, after
  later messages, its attempts starting over.

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] the most to replay when no id is given
    ARGV[3..] dead-letter ids (none: the oldest)

  Output:
    how many were replayed
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('log', 'dead')

local group = ARGV[1]
local limit = toInteger(ARGV[2], 1, 100000)
if not limit then return grError('EINVAL', 'bad replay limit') end
local rows = namedOrOldest(K.dead, ARGV, 3, limit)
for _, row in ipairs(rows) do
  local f = fieldMap(row[2])
  local entry = { 'v', f['v'] or '' }
  if f['k'] then
    entry[#entry + 1] = 'k'
    entry[#entry + 1] = f['k']
  end
  if f['h'] then
    entry[#entry + 1] = 'h'
    entry[#entry + 1] = f['h']
  end
  entry[#entry + 1] = 'g'
  entry[#entry + 1] = group
  redis.call('XADD', K.log, '*', unpack(entry))
  redis.call('XDEL', K.dead, row[1])
end
return #rows
