--[[
  One member's heartbeat in its group: refreshes (or ends) its session, drops members whose
  session ran out, and, when the members or the partition count changed, starts a new
  generation with a new target assignment, the same for every member. The target is sticky and
  balanced: each member gets floor(N/M) or ceil(N/M) partitions (the extra ones to the first
  ids); a partition stays with a live target owner within quota; the rest go, in partition
  order, to members under quota, in id order.

  Input (KEYS: the namedKeys line below):
    ARGV[1] member id
    ARGV[2] session timeout in ms
    ARGV[3] 1 to leave the group, 0 to stay

  Output:
    { generation, partitions N, session deadline (server ms), target owner of partition 0 .. N-1
      ("" for none) }
]]
--- @include "keys"
--- @include "topic"

local K = namedKeys('topic', 'group', 'members')

local member = ARGV[1]
local session = toInteger(ARGV[2], 1, 9007199254740991)
if session == nil then return grError('EINVAL', 'the session timeout must be a positive whole number of ms') end
local n, bad = partitionCount(K.topic, redis.call('HGET', K.topic, 'partitions'))
if bad then return bad end
n = n or 0
local now = serverNowMs()
local deadline = now + session
if ARGV[3] == '1' then
  redis.call('ZREM', K.members, member)
else
  redis.call('ZADD', K.members, deadline, member)
end
redis.call('ZREMRANGEBYSCORE', K.members, '-inf', '(' .. now)

local ids = redis.call('ZRANGE', K.members, 0, -1)
table.sort(ids)
local signature = table.concat(ids, '\n')
local state = redis.call('HMGET', K.group, 'generation', 'partitions', 'members')
local generation = tonumber(state[1]) or 0
local target = {}
if state[3] == signature and tonumber(state[2]) == n then
  if n > 0 then
    local fields = {}
    for p = 0, n - 1 do fields[#fields + 1] = 't:' .. p end
    target = redis.call('HMGET', K.group, unpack(fields))
  end
else
  generation = generation + 1
  local m = #ids
  local quota, count, rank = {}, {}, {}
  for i = 1, m do
    quota[ids[i]] = math.floor(n / m) + ((i <= n % m) and 1 or 0)
    count[ids[i]] = 0
    rank[i] = ids[i]
  end
  local previous = {}
  if n > 0 then
    local fields = {}
    for p = 0, n - 1 do fields[#fields + 1] = 't:' .. p end
    previous = redis.call('HMGET', K.group, unpack(fields))
  end
  for p = 1, n do
    local owner = previous[p]
    if owner and quota[owner] and count[owner] < quota[owner] then
      target[p] = owner
      count[owner] = count[owner] + 1
    end
  end
  local next = 1
  for p = 1, n do
    if not target[p] then
      while next <= m and count[rank[next]] >= quota[rank[next]] do next = next + 1 end
      if next <= m then
        target[p] = rank[next]
        count[rank[next]] = count[rank[next]] + 1
      else
        target[p] = ''
      end
    end
  end
  local fields = { 'generation', generation, 'partitions', n, 'members', signature }
  for p = 1, n do
    fields[#fields + 1] = 't:' .. (p - 1)
    fields[#fields + 1] = target[p]
  end
  redis.call('HSET', K.group, unpack(fields))
end
local out = { generation, n, deadline }
for p = 1, n do out[#out + 1] = target[p] or '' end
return out
