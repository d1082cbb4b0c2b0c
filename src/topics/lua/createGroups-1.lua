--[[
  Creates consumer groups on one partition's stream (creating the stream when missing); a
  group that exists is left as it is.

  Input (KEYS: the namedKeys line below):
    ARGV[1] where a new group starts: 0 (the start of history) or $ (the end)
    ARGV[2..] group names

  Output:
    how many groups were created
]]
--- @include "keys"

local K = namedKeys('log')

local created = 0
for i = 2, #ARGV do
  local ok = redis.pcall('XGROUP', 'CREATE', K.log, ARGV[i], ARGV[1], 'MKSTREAM')
  if type(ok) == 'table' and ok.err then
    if not string.find(ok.err, 'BUSYGROUP', 1, true) then return ok end
  else
    created = created + 1
  end
end
return created
