--[[
  Fires due schedules by compare-and-set: each one only while its due time is still the one the
  tick read (so of several schedulers, one fires each due time, and none is lost), sending its
  task message the broker's way and then setting its next due time, or removing a one-shot.
  The tasks fired to a stream or a list are counted in the stats hash (`added`).

  Input (KEYS: the namedKeys line below):
    ARGV[1] the broker's kind: stream, list or pubsub
    ARGV[2] maxLength (stream; 0: no trim)
    ARGV[3] the notice channel (pubsub)
    ARGV[4] "1" to publish sharded (pubsub on a Cluster)
    ARGV[5..] quintuples: schedule id, due time read, next due time ("" for a one-shot), task
              name, encoded message

  Output:
    { fired schedule ids... }
]]
--- @include "keys"
--- @include "tasks"
--- @include "counts"

local K = namedKeys('stream', 'list', 'marker', 'due', 'sched', 'stats')

local kind, maxLength = ARGV[1], tonumber(ARGV[2])
if (#ARGV - 4) % 5 ~= 0 or (kind ~= 'stream' and kind ~= 'list' and kind ~= 'pubsub') then return grError('EINVAL', 'bad fire arguments') end
local fired = {}
for i = 5, #ARGV, 5 do
  local id, read, nextDue, task, m = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local score = redis.call('ZSCORE', K.due, id)
  if score and tonumber(score) == tonumber(read) then
    if kind == 'stream' then
      ensureGroup(K.stream)
      appendEntry(K.stream, { m = m, a = 0, x = 0, t = task })
    elseif kind == 'list' then
      redis.call('LPUSH', K.list, m)
    else
      redis.call(ARGV[4] == '1' and 'SPUBLISH' or 'PUBLISH', ARGV[3], m)
    end
    if nextDue == '' then
      redis.call('ZREM', K.due, id)
      redis.call('HDEL', K.sched, id)
    else
      redis.call('ZADD', K.due, nextDue, id)
    end
    fired[#fired + 1] = id
  end
end
if #fired > 0 and kind ~= 'pubsub' then
  signalWork(K.marker)
  countAdded(K.stats, #fired)
  if kind == 'stream' and maxLength > 0 then trimSafely(K.stream, maxLength, false) end
end
return fired
