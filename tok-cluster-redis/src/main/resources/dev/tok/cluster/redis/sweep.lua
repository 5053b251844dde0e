-- Removes a node whose lease lapsed (or that leaves): its presence entries, its user set, its registry entry.
-- KEYS[1] <prefix>nodes SET, KEYS[2] <prefix>node:<node> lease, KEYS[3] <prefix>node:<node>:users SET
-- ARGV: node, prefix, force ("1": the node itself leaving, after deleting its lease)
-- Returns the number of presence entries removed, or -1 when the node's lease is current again.
-- The user hashes' keys are computed here: standalone Redis only (see README).
if ARGV[3] ~= '1' and redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local mark = ARGV[1] .. '|'
local removed = 0
for _, uid in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local h = ARGV[2] .. '{' .. uid .. '}:conns'
  for _, f in ipairs(redis.call('HKEYS', h)) do
    if string.sub(f, 1, #mark) == mark then
      redis.call('HDEL', h, f)
      removed = removed + 1
    end
  end
end
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[1], ARGV[1])
return removed
