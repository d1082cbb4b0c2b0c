--[[
  Stores a task's result with the store's TTL, gives its progress the same TTL, and publishes
  the "result stored" notice to waiters, carrying the encoded result so that a waiter need not
  read it back (SPUBLISH on a Cluster: the channel is in the task's slot; PUBLISH otherwise).

  Input (KEYS: the namedKeys line below):
    ARGV[1] the encoded result
    ARGV[2] TTL in ms
    ARGV[3] the notice channel
    ARGV[4] "1" to publish sharded (SPUBLISH)

  Output:
    OK
]]
--- @include "keys"
--- @include "numbers"
--- @include "errors"

local K = namedKeys('result', 'progress')

local ttl = toInteger(ARGV[2], 1, 9007199254740991)
if not ttl then return grError('EINVAL', 'the TTL must be a positive whole number of ms') end
redis.call('SET', K.result, ARGV[1], 'PX', ttl)
redis.call('PEXPIRE', K.progress, ttl)
redis.call(ARGV[4] == '1' and 'SPUBLISH' or 'PUBLISH', ARGV[3], ARGV[1])
return 'OK'
