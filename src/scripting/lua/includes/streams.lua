-- Stream helpers shared by the families on Redis streams (topics, task brokers): entry
-- fields, exact id arithmetic, and trimming that never drops unacknowledged work.

-- A stream entry's field array as a table.
local function fieldMap(fields)
  local map = {}
  for i = 1, #fields, 2 do map[fields[i]] = fields[i + 1] end
  return map
end

-- The milliseconds and sequence parts of a stream id, as strings.
local function idParts(id)
  local dash = string.find(id, '-', 1, true)
  return string.sub(id, 1, dash - 1), string.sub(id, dash + 1)
end

-- Compares two decimal strings of whole numbers: -1, 0 or 1 (exact for any length).
local function compareDecimal(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end

-- Compares two stream ids: -1, 0 or 1.
local function compareIds(a, b)
  local am, as = idParts(a)
  local bm, bs = idParts(b)
  local c = compareDecimal(am, bm)
  if c ~= 0 then return c end
  return compareDecimal(as, bs)
end

-- The decimal string one above `s`.
local function incrementDecimal(s)
  local digits = {}
  for i = 1, #s do digits[i] = string.byte(s, i) - 48 end
  local i = #digits
  while i >= 1 do
    if digits[i] < 9 then
      digits[i] = digits[i] + 1
      break
    end
    digits[i] = 0
    i = i - 1
  end
  local out = table.concat(digits)
  if i == 0 then out = '1' .. out end
  return out
end

-- The smallest stream id above `id`.
local function nextId(id)
  local ms, seq = idParts(id)
  return ms .. '-' .. incrementDecimal(seq)
end

-- The consumer an entry is pending under in `group`, and its delivery count (nil when it is not
-- pending, when the group is gone, or when `id` is no stream id: what another program left in a
-- set of ids is pending nowhere).
local function pendingOf(streamKey, group, id)
  local r = redis.pcall('XPENDING', streamKey, group, id, id, 1)
  local p = r[1]
  if r.err or not p then return nil, 0 end
  return p[2], tonumber(p[4])
end

-- Trims a stream to about its newest `maxLen` entries without removing one that a group has
-- not acknowledged: the cut stays below every group's safe floor (its oldest pending entry, or
-- past its last-delivered id when nothing is pending). Removes at most 1,000 entries per call
-- (the next write trims again). Returns how many entries were removed.
local function trimSafely(logKey, maxLen, approximate)
  local excess = redis.call('XLEN', logKey) - maxLen
  if excess <= 0 then return 0 end
  local bound, exclusive = nil, false -- the highest removable id (below it when exclusive)
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', logKey)) do
    local g = fieldMap(info)
    local b, excl = g['last-delivered-id'], false
    if tonumber(g['pending']) > 0 then
      b, excl = redis.call('XPENDING', logKey, g['name'], '-', '+', 1)[1][1], true
    end
    local c = bound and compareIds(b, bound) or -1
    if c < 0 or (c == 0 and excl) then bound, exclusive = b, excl end
  end
  local upTo = '+'
  if bound then upTo = exclusive and ('(' .. bound) or bound end
  local rows = redis.call('XRANGE', logKey, '-', upTo, 'COUNT', math.min(excess, 1000))
  if #rows == 0 then return 0 end
  local cut = nextId(rows[#rows][1])
  if approximate then return redis.call('XTRIM', logKey, 'MINID', '~', cut) end
  return redis.call('XTRIM', logKey, 'MINID', cut)
end

-- Deletes entries of a stream: the ids in `ids` from index `from` on, or, when there are none,
-- the whole stream. Returns how many were deleted.
local function purgeEntries(streamKey, ids, from)
  if #ids < from then
    local n = redis.call('XLEN', streamKey)
    redis.call('UNLINK', streamKey)
    return n
  end
  local n = 0
  for i = from, #ids, 1000 do
    n = n + redis.call('XDEL', streamKey, unpack(ids, i, math.min(i + 999, #ids)))
  end
  return n
end

-- The entries of a stream named in `ids` from index `from` on (those that exist), or, when none
-- is named, its oldest `limit`.
local function namedOrOldest(streamKey, ids, from, limit)
  if #ids < from then return redis.call('XRANGE', streamKey, '-', '+', 'COUNT', limit) end
  local rows = {}
  for i = from, #ids do
    local row = redis.call('XRANGE', streamKey, ids[i], ids[i])[1]
    if row then rows[#rows + 1] = row end
  end
  return rows
end
