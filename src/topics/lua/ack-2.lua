--[[
  Acknowledges entries of one partition for a group: each one only when it is still the
  delivery the caller was handed, pending under the caller with the same delivery count (else
  it moved on: another member took the partition over, it was delivered again after its lease
  ran out, or it was settled).

  Input (KEYS: the namedKeys line below):
    ARGV[1] group
    ARGV[2] member id
    ARGV[3] the lowest id named, ARGV[4] the highest
    ARGV[5] the entry ids, comma-separated
    ARGV[6] the delivery count each was handed out with, comma-separated (one argument each
            for the list, not two per entry: an ack names a whole batch)

  Output:
    one 1 (acked) or 0 (no longer the caller's) per id
]]
--- @include "keys"
--- @include "topic"
--- @include "chunks"

local K = namedKeys('log', 'retry')

local group, member = ARGV[1], ARGV[2]
local ids, attempts = {}, {}
for id in string.gmatch(ARGV[5], '[^,]+') do ids[#ids + 1] = id end
for attempt in string.gmatch(ARGV[6], '[^,]+') do attempts[#attempts + 1] = attempt end
local n = #ids
if #attempts ~= n then return grError('EINVAL', 'one delivery count per id') end
if n < 1 then return {} end

-- Acks the named entries found to be the caller's, and replies one 1 or 0 per id.
local function settle(isMine)
  local out, acked = {}, {}
  for i = 1, n do
    if isMine(ids[i], attempts[i]) then
      acked[#acked + 1] = ids[i]
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
    end
  end
  if #acked > 0 then
    for i = 1, #acked, 1000 do
      redis.call('XACK', K.log, group, unpack(acked, i, math.min(i + 999, #acked)))
    end
    if redis.call('ZCARD', K.retry) > 0 then callChunked('ZREM', K.retry, acked) end
  end
  return out
end

-- The caller's pending entries between the lowest and highest id named, in one read; an id the
-- read did not reach (other entries of the caller in between) is looked up on its own.
local lo, hi = ARGV[3], ARGV[4]
local deliveries = {}
local read = redis.call('XPENDING', K.log, group, lo, hi, n, member)
for _, p in ipairs(read) do deliveries[p[1]] = tostring(p[4]) end
return settle(function(id, attempt)
  local count = deliveries[id]
  if not count and #read == n then
    local owner, d = pendingOf(K.log, group, id)
    if owner == member then count = tostring(d) end
  end
  return count == attempt
end)
