--[[
  Reads a task's result and removes it and its progress in one step (keepResults: false), so a
  second read misses.

  Input (KEYS: the namedKeys line below): none

  Output:
    the encoded result, or nil
]]
--- @include "keys"

local K = namedKeys('result', 'progress')

local value = redis.call('GETDEL', K.result)
redis.call('DEL', K.progress)
return value
