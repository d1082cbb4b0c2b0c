-- Tells idle consumers that there is work: an object's marker list holds at most one element,
-- which a blocked consumer's BLPOP takes (src/jobs/work-signal.ts).
local function signalWork(markerKey)
  redis.call('LPUSH', markerKey, '1')
  redis.call('LTRIM', markerKey, 0, 0)
end
