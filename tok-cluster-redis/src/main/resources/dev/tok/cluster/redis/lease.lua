-- Takes or renews a node's lease. KEYS[1] <prefix>node:{<node>} (the lease: the incarnation's token,
-- with a TTL), KEYS[2] <prefix>node:{<node>}:users SET (same hash tag: one Redis Cluster slot).
-- ARGV: the current token ("" at start), the lease in ms, a fresh token.
-- Returns {1}: renewed; {2, token}: held by another live instance (left alone);
-- {0, uid1, uid2, ...}: the lease was absent (a start, or a lapse): taken with the fresh token, and
-- the user set of the previous incarnation (whose presence entries the caller removes) claimed.
local current = redis.call('GET', KEYS[1])
if current then
  if current == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1}
  end
  return {2, current}
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
local out = {0}
for _, uid in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out + 1] = uid end
redis.call('DEL', KEYS[2])
return out
