-- Helpers of the topic scripts. They take the keys they use as parameters.
--
-- A partition's log entry has the fields v (encoded value), k (key, absent for keyless),
-- h (headers as JSON, absent when none) and g (only on a replayed dead letter: the one group it
-- is for). A group's dead letters keep i (original id), a (attempts), e (last error) and the
-- entry's v, k, h.
--- @include "errors"
--- @include "numbers"
--- @include "time"
--- @include "streams"
--- @include "dead-letters"
--- @include "counts"

-- The partition count `raw` read from a topic's hash: nil when the topic does not exist, else the
-- count, or nil and the error reply when the field holds no count from 1 to 1024 (another
-- program's, a hand edit's): nothing can be routed then, so the script stops before it writes.
local function partitionCount(topicKey, raw)
  if not raw then return nil end
  local n = toInteger(raw, 1, 1024)
  if n then return n end
  return nil, grError('EDATA', topicKey .. ' field partitions holds ' .. string.format('%q', raw)
    .. ', not a partition count from 1 to 1024: set it again with HSET ' .. topicKey .. ' partitions <count>')
end

-- XPENDING of `group` on a partition's log (the arguments after the group); nil when the group
-- is gone from the log (a restore without its groups, another program) or `args` name no ids.
local function groupPending(logKey, group, ...)
  local r = redis.pcall('XPENDING', logKey, group, ...)
  if r.err then return nil end
  return r
end
-- Whether an entry is still the delivery a member was handed: pending under it with the
-- delivery count it was handed out with (a redelivery, to it or another member, raised it).
local function isDelivery(logKey, group, id, member, attempt)
  local owner, deliveries = pendingOf(logKey, group, id)
  return owner == member and tostring(deliveries) == attempt
end

-- Moves a pending entry to the group's dead letters and acks it, in one step; the dead letters
-- are then trimmed to their caps (`limit`, `maxAgeMs`: see deadCaps).
local function deadLetter(logKey, retryKey, deadKey, limit, maxAgeMs, group, id, fields, attempts, err)
  local f = fieldMap(fields or {})
  local entry = { 'i', id, 'a', attempts, 'e', err }
  for _, name in ipairs({ 'v', 'k', 'h' }) do
    if f[name] then
      entry[#entry + 1] = name
      entry[#entry + 1] = f[name]
    end
  end
  redis.call('XADD', deadKey, '*', unpack(entry))
  trimDead(deadKey, limit, maxAgeMs)
  redis.call('XACK', logKey, group, id)
  redis.call('ZREM', retryKey, id)
end

