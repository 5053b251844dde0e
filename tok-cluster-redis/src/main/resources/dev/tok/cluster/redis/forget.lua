-- Removes a node from the registry when it still has the incarnation that was swept: a node that came
-- back meanwhile (a newer incarnation) stays. KEYS[1] <prefix>nodes HASH node -> incarnation.
-- ARGV: node, incarnation. Returns 1 when removed.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
