--[[
  Cancels jobs: each named key that is queued, leased or delayed leaves the stream with its
  value and job state (a leased one's later ack or nack answers ELEASE). Dead letters,
  gating and cooldowns are left alone.

  Input:
    KEYS[1]  items hash      {name}:t       key -> value
    KEYS[2]  scores zset     {name}:s       key -> base - priority
    KEYS[3]  gated set       {name}:exc
    KEYS[4]  cooldowns zset  {name}:exp     key -> deadline (epoch ms, server clock)
    KEYS[5]  meta hash       {name}:meta    fields base, lseq
    KEYS[6]  leases zset     {name}:lease   key -> lease deadline
    KEYS[7]  delayed zset    {name}:delay   key -> ready time
    KEYS[8]  dead zset       {name}:dead    key -> time of death
    KEYS[9]  state hash      {name}:state   key -> JSON job state (includes/jobs.lua)
    KEYS[10] marker list     {name}:marker

    ARGV[1..] keys

  Output:
    the keys removed
]]
--- @include "includes/common"

local keys = {}
for i = 1, #ARGV do keys[i] = ARGV[i] end
local found = inAnyOf({ KEYS[2], KEYS[6], KEYS[7] }, keys)
local removed, seen = {}, {}
for i = 1, #keys do
  if found[i] and not seen[keys[i]] then
    removed[#removed + 1] = keys[i]
    seen[keys[i]] = true -- a key named twice is removed once
  end
end
for _, set in ipairs({ KEYS[2], KEYS[6], KEYS[7] }) do callChunked('ZREM', set, removed) end
callChunked('HDEL', KEYS[1], removed)
callChunked('HDEL', KEYS[9], removed)
return removed
