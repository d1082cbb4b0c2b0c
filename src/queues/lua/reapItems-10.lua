--[[
  Gives back or drops the deliveries of the consumers a rule selects, one bounded chunk (see
  reap in includes/queue.lua): reEnqueueTimeoutItems, reEnqueueAllItems, dropTimeoutItems,
  dropAllItems, and the Sweeper's reaper; then, with room left in the chunk, the deliveries that
  belong to no registered consumer (reapOrphans). Also prunes rollback counters older than their
  time to live.

  Input (KEYS: the namedKeys line below):
    ARGV[1] kind: queue | unique
    ARGV[2] mode: dead | timeout | all
    ARGV[3] timeoutMs (mode timeout; 0: every consumer)
    ARGV[4] action: requeue | drop
    ARGV[5] limit: deliveries per call (1 to 10000)
    ARGV[6] rollback counters' time to live in ms (0: kept)

  Output:
    { deliveries moved, 1 when more are left (call again) else 0 }
]]
--- @include "keys"
--- @include "queue"

local K = namedKeys('list', 'unique', 'consumers', 'consumerInfo', 'held', 'deliveries', 'rollbacks', 'rollbackTimes', 'marker', 'meta')

local kind, mode, action = ARGV[1], ARGV[2], ARGV[4]
if kind ~= 'queue' and kind ~= 'unique' then return grError('EINVAL', 'kind must be queue or unique') end
if mode ~= 'dead' and mode ~= 'timeout' and mode ~= 'all' then return grError('EINVAL', 'mode must be dead, timeout or all') end
if action ~= 'requeue' and action ~= 'drop' then return grError('EINVAL', 'action must be requeue or drop') end
local timeoutMs = toInteger(ARGV[3], 0, 9007199254740991)
if timeoutMs == nil then return grError('EINVAL', 'timeoutMs must be an integer >= 0') end
local limit = toInteger(ARGV[5], 1, 10000)
if limit == nil then return grError('EINVAL', 'limit must be an integer from 1 to 10000') end
local rollbackTtl = toInteger(ARGV[6], 0, 9007199254740991)
if rollbackTtl == nil then return grError('EINVAL', 'rollbackTtlMs must be an integer >= 0') end
local bad = kindMismatch(K.meta, kind)
if bad then return bad end

local now = serverNowMs()
local moved, left = reap(K, kind == 'unique', mode, timeoutMs, action, limit, now)
if not left and moved < limit then
  local orphans, more = reapOrphans(K, kind == 'unique', action, limit - moved, now)
  moved, left = moved + orphans, more
end
if pruneRollbacks(K, now, rollbackTtl, limit) then left = true end
return { moved, left and 1 or 0 }
