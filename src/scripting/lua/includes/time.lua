-- The Redis server's clock, in epoch milliseconds: every deadline is on this clock, so the
-- clocks of the clients never matter.
local function serverNowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
