--[[
  Gives leased jobs back: to the stream now, or after `delayMs`; a job that has used up its
  attempts goes to the dead letters instead, with the error given (or "nacked"), and the dead
  letters are trimmed to their caps. All or nothing: a lease that is no longer held makes the
  reply ELEASE and changes nothing.

  Input (KEYS: the namedKeys line below):
    ARGV[1] delayMs (integer >= 0)
    ARGV[2] priority to return with (finite double), or "" to keep the job's priority
    ARGV[3] error message, or ""
    ARGV[4] mode: nack, or release (back to the stream at once, the attempt not counted:
            for jobs that were leased but never handed to a handler)
    ARGV[5] the dead letters' caps, `<most kept>:<most age in ms, 0 for none>`
    ARGV[6..] key, leaseId pairs

  Output:
    { requeued, delayed, died }
]]
--- @include "keys"
--- @include "stream"
--- @include "jobs"

local K = namedKeys('items', 'scores', 'cooldowns', 'meta', 'leases', 'delayed', 'dead', 'state', 'marker')

local delayMs = toInteger(ARGV[1], 0, 9007199254740991)
if delayMs == nil then return grError('EINVAL', 'delayMs must be an integer >= 0') end
local priority = optionalFinite(ARGV[2])
if priority == false then return grError('EINVAL', 'priority must be a finite number') end
local release = ARGV[4] == 'release'
if not release and ARGV[4] ~= 'nack' then return grError('EINVAL', 'mode must be nack or release') end
local deadLimit, deadAge = deadCaps(ARGV[5])
if deadLimit == nil then return grError('EINVAL', 'the dead letters\' caps must be <limit>:<max age ms>') end
if (#ARGV - 5) % 2 ~= 0 then return grError('EINVAL', 'leases must be key, leaseId pairs') end

local keys, _, states, lost = leasedPairs(K.state, 6, true)
if #lost > 0 then return leaseLost(lost) end

local now = serverNowMs()
local back, backStates, later, dead = {}, {}, {}, {}
for i = 1, #keys do
  local st = states[i]
  st.l, st.o = nil, nil
  if ARGV[3] ~= '' then st.e = ARGV[3] end
  if priority ~= nil then st.p = fmt(priority) end
  if release then
    st.a = math.max(0, (st.a or 1) - 1)
    back[#back + 1], backStates[#backStates + 1] = keys[i], st
  elseif exhausted(st) then
    st.e = st.e or 'nacked'
    dead[#dead + 1] = keys[i]
  elseif delayMs > 0 then
    later[#later + 1] = keys[i]
  else
    back[#back + 1], backStates[#backStates + 1] = keys[i], st
  end
end
callChunked('ZREM', K.leases, keys)
saveStates(K.state, keys, states)
requeue(K, back, backStates, readBase(K.meta))
zaddAll(K.dead, now, dead)
if #dead > 0 then trimDeadJobs(K, now, deadLimit, deadAge) end
zaddAll(K.delayed, now + delayMs, later)
-- An idle worker looks again, and learns when the retries are due (requeue signalled the others).
if #later > 0 then signalWork(K.marker) end
return { #back, #later, #dead }
