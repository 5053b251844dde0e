-- Removes one connection of a node; the uid leaves the node's user set with its last connection there.
-- KEYS[1] <prefix>{<uid>}:conns, KEYS[2] <prefix>node:<node>:users; ARGV: node, connection, uid
local removed = redis.call('HDEL', KEYS[1], ARGV[1] .. '|' .. ARGV[2])
local mark = ARGV[1] .. '|'
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(f, 1, #mark) == mark then return removed end
end
redis.call('SREM', KEYS[2], ARGV[3])
return removed
