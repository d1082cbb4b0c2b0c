--[[
  Moves dead letters back to a StreamBroker's stream as new entries, attempts starting over:
  the named ones, or the oldest `limit`. Each one is moved once (a dead letter already gone is
  skipped).

  Input (KEYS: the namedKeys line below):
    ARGV[1] limit (when no id is named)
    ARGV[2..] dead letter ids

  Output:
    how many were moved
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('dead', 'stream', 'marker')

local limit = toInteger(ARGV[1], 1, 10000)
if not limit then return grError('EINVAL', 'bad replay arguments') end
local rows = namedOrOldest(K.dead, ARGV, 2, limit)
if #rows == 0 then return 0 end
ensureGroup(K.stream)
for _, row in ipairs(rows) do
  local f = fieldMap(row[2])
  -- A dead letter another program wrote goes back as it is (with '' for a missing message) and dies
  -- again, with its reason, at its next lease.
  appendEntry(K.stream, { m = f.m or '', a = 0, x = storedCount(f.x) or 0, t = f.t or '' })
  redis.call('XDEL', K.dead, row[1])
end
signalWork(K.marker)
return #rows
