-- Reads the dead letters' caps of a family: the argument `<most kept>:<most age in ms, 0 for
-- none>` (src/jobs/dead-letters.ts writes it). Returns the limit and the age, or nil when the
-- argument is malformed.
local function deadCaps(arg)
  local limit, age = string.match(arg or '', '^(%d+):(%d+)$')
  limit, age = tonumber(limit), tonumber(age)
  if not limit or limit < 1 or not age then return nil end
  return limit, age
end
