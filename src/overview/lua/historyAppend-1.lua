--[[
  Appends one sample of an object's counts to its history, a stream capped at a number of
  samples (exactly, oldest out first), unless a sample younger than half the interval is there
  already: dashboards recording together keep about one sample per interval. The entry id is the
  server's time of the sample. The history expires after twice its span without a sample, so a
  deleted object's history goes too.

  Input (KEYS: the namedKeys line below):
    ARGV[1] the interval between samples, in ms
    ARGV[2] the most samples kept
    ARGV[3..] the counts: state, count, state, count, ... (fields of the entry: a stream keeps
              the names once per node when every entry has the same, so a sample costs its numbers)

  Output:
    1 when the sample was appended, 0 when a recent one was there
]]
--- @include "keys"
--- @include "errors"
--- @include "numbers"
--- @include "time"

local K = namedKeys('history')

local interval = toInteger(ARGV[1], 1, 86400000)
local samples = toInteger(ARGV[2], 1, 100000)
if interval == nil or samples == nil then return grError('EINVAL', 'the interval (ms) and the samples kept must be positive whole numbers') end
if #ARGV < 4 or #ARGV % 2 ~= 0 then return grError('EINVAL', 'a sample is pairs of state and count, at least one') end
local now = serverNowMs()
local last = redis.call('XREVRANGE', K.history, '+', '-', 'COUNT', 1)
if #last > 0 then
  local ms = tonumber(string.match(last[1][1], '^(%d+)-'))
  if ms ~= nil and now - ms < interval / 2 then return 0 end
end
redis.call('XADD', K.history, 'MAXLEN', samples, '*', unpack(ARGV, 3))
redis.call('PEXPIRE', K.history, interval * samples * 2)
return 1
