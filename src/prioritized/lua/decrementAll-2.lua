--[[
  Lowers every queued item's priority by `by` in O(1) (psdecrementall): only the stream's
  offset changes; no item is touched.

  Input (KEYS: the namedKeys line below):
    ARGV[1] by (finite double)

  Output:
    how many items were affected (the stream's length)

  The offset stays within +/- (2^53 - 1) so that integer priorities stay exact; a decrement that
  would leave that range is refused (ERANGE) and changes nothing. An empty stream's offset
  restarts from 0 at its next add.
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('scores', 'meta')

local by = toFinite(ARGV[1])
if by == nil then return grError('EINVAL', 'by must be a finite number') end
local n = redis.call('ZCARD', K.scores)
if n == 0 then return 0 end
local base = readBase(K.meta) - by
if base > 9007199254740991 or base < -9007199254740991 then
  return grError('ERANGE', 'the stream priority offset would leave +/-(2^53 - 1), where integer priorities stay exact')
end
redis.call('HSET', K.meta, 'base', fmt(base))
return n
