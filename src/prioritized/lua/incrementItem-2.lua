--[[
  Adds `by` to a queued item's priority (psincrement). Never creates an item.

  Input (KEYS: the namedKeys line below):
    ARGV[1] key
    ARGV[2] by (finite double)

  Output:
    the new priority (string), or nil when the key is not queued
]]
--- @include "keys"
--- @include "stream"

local K = namedKeys('scores', 'meta')

local by = toFinite(ARGV[2])
if by == nil then return grError('EINVAL', 'by must be a finite number') end
local current = redis.call('ZSCORE', K.scores, ARGV[1])
if not current then return false end
local stored = tonumber(current) - by
if toFinite(stored) == nil then return grError('ERANGE', 'the priority would leave the range of finite numbers') end
redis.call('ZADD', K.scores, stored, ARGV[1])
return fmt(readBase(K.meta) - stored)
