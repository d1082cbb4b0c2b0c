--[[
  Adds `by` to a queued item's priority (psincrement). Never creates an item.

  Input:
    KEYS[1] scores zset  {name}:s
    KEYS[2] meta hash    {name}:meta

    ARGV[1] key
    ARGV[2] by (finite double)

  Output:
    the new priority (string), or nil when the key is not queued
]]
--- @include "includes/common"

local by = toFinite(ARGV[2])
if by == nil then return grError('EINVAL', 'by must be a finite number') end
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current then return false end
local stored = tonumber(current) - by
if toFinite(stored) == nil then return grError('ERANGE', 'the priority would leave the range of finite numbers') end
redis.call('ZADD', KEYS[1], stored, ARGV[1])
return fmt(readBase(KEYS[2]) - stored)
