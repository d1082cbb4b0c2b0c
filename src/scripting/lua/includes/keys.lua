-- A script's keys by name: `local K = namedKeys('items', 'state')` is { items = KEYS[1],
-- state = KEYS[2] }. Each script declares only the keys it touches, in the order the script
-- table sends them (a unit test compares the two); helpers take the keys they use as
-- parameters. Reading a key the script did not declare is an error here, not a nil that a
-- Redis command would refuse further on.
local function namedKeys(...)
  local names = { ... }
  if #KEYS ~= #names then
    error('the script takes ' .. #names .. ' keys (' .. table.concat(names, ', ') .. '), not ' .. #KEYS)
  end
  local K = {}
  for i = 1, #names do K[names[i]] = KEYS[i] end
  return setmetatable(K, {
    __index = function(_, name) error('the script does not declare the key ' .. tostring(name)) end,
  })
end
