--[[
  A task queue's counts, for either broker (the other's keys are empty).

  Input (KEYS: the namedKeys line below): none

  Output:
    { waiting, active, delayed, dead, length, kind, schedules, added } where kind is "stream",
    "list" or "" (neither key exists: a broadcast, or nothing sent yet) and added counts the
    tasks sent in total
]]
--- @include "keys"
--- @include "tasks"

local K = namedKeys('stream', 'list', 'delay', 'dead', 'sched', 'stats')

local delayed = redis.call('ZCARD', K.delay)
local dead = redis.call('XLEN', K.dead)
local schedules = redis.call('HLEN', K.sched)
local added = tonumber(redis.call('HGET', K.stats, 'added')) or 0
if redis.call('EXISTS', K.stream) == 1 then
  local length = redis.call('XLEN', K.stream)
  local active, waiting = 0, length -- without its group (another program wrote it), all of it waits
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', K.stream)) do
    local g = fieldMap(info)
    if g.name == GROUP then
      active = tonumber(g.pending)
      waiting = g.lag
      if type(waiting) ~= 'number' then
        -- Deleted entries make Redis's lag unknown: count what lies after the last delivered id
        -- (bounded: a stream of maxLength 0 keeps only what is waiting or pending anyway).
        waiting = #redis.call('XRANGE', K.stream, '(' .. g['last-delivered-id'], '+', 'COUNT', 100000)
      end
    end
  end
  return { waiting, active, delayed, dead, length, 'stream', schedules, added }
end
local length = redis.call('LLEN', K.list)
return { length, 0, delayed, dead, length, redis.call('EXISTS', K.list) == 1 and 'list' or '', schedules, added }
