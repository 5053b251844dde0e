-- Registers one connection of a node, atomically with single sign-on fencing. Touches the user's
-- two keys only (one Redis Cluster slot: the {uid} hash tag); the node's user set is updated by the
-- node before this script runs (RedisClusterNode.register), never here.
-- KEYS[1] <prefix>{<uid>}:conns  HASH  "<node>|<connection>" -> "<epoch>|<scope>|<incarnation>|<device>"
--                                       (scope, device escaped: no '|')
-- KEYS[2] <prefix>{<uid>}:epoch  STRING the user's registration counter, expiring epoch-ttl after the
--                                       user's last registration
-- ARGV: node, connection, escaped device, escaped scope, mode, the node's incarnation, epoch-ttl (ms)
--   mode "0": plain; "1": replacing (single sign-on); "2": registering again after the node's lease
--   lapsed, refused when another connection of the same scope is registered (it is newer)
-- Returns {epoch, field1, value1, field2, value2, ...}: the replaced entries; or, refused,
-- {0, field, value} of the connection that won.
local own = ARGV[1] .. '|' .. ARGV[2]
local function scope_of(value)
  local p1 = string.find(value, '|', 1, true)
  local p2 = string.find(value, '|', p1 + 1, true)
  return string.sub(value, p1 + 1, p2 - 1)
end
if ARGV[5] == '2' and ARGV[4] ~= '' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i] ~= own and scope_of(all[i + 1]) == ARGV[4] then
      return {0, all[i], all[i + 1]}
    end
  end
end
-- Fencing across the counter's expiry. The counter expires epoch-ttl after the user's last
-- registration; a new one must still exceed the epoch of every connection that is registered (they
-- are all in KEYS[1]) or that a lapsed node still holds and may register again (its entry was swept,
-- so it is not in KEYS[1]). So a new counter starts above both: above the highest epoch in KEYS[1],
-- and at Redis' clock in microseconds, which an old counter (seeded the same way at least epoch-ttl
-- earlier, +1 per registration) cannot have reached unless the user registered more than a million
-- times per second on average since. The clock value stays below 2^53 (exact in Lua) until 2255.
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  local seed = tonumber(t[1]) * 1000000 + tonumber(t[2])
  for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
    local e = tonumber(string.sub(v, 1, string.find(v, '|', 1, true) - 1))
    if e and e > seed then seed = e end
  end
  redis.call('SET', KEYS[2], string.format('%.0f', seed))
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
local out = {epoch}
if ARGV[5] == '1' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local field, value = all[i], all[i + 1]
    if field ~= own and scope_of(value) == ARGV[4] then
      redis.call('HDEL', KEYS[1], field)
      out[#out + 1] = field
      out[#out + 1] = value
    end
  end
end
-- (string.format: Lua's own number to string conversion keeps only 14 digits)
redis.call('HSET', KEYS[1], own, string.format('%.0f', epoch) .. '|' .. ARGV[4] .. '|' .. ARGV[6] .. '|' .. ARGV[3])
return out
