-- Removes a node's presence entries of one user: those of one incarnation ("=": a lapsed or leaving
-- node, swept) or of every incarnation but one ("~": the node itself, after it took a new lease).
-- KEYS[1] <prefix>{<uid>}:conns; ARGV: node, "=" or "~", incarnation. Returns how many it removed.
local mark = ARGV[1] .. '|'
local removed = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local field, value = all[i], all[i + 1]
  if string.sub(field, 1, #mark) == mark then
    local p1 = string.find(value, '|', 1, true)
    local p2 = string.find(value, '|', p1 + 1, true)
    local p3 = string.find(value, '|', p2 + 1, true)
    local same = string.sub(value, p2 + 1, p3 - 1) == ARGV[3]
    if same == (ARGV[2] == '=') then
      redis.call('HDEL', KEYS[1], field)
      removed = removed + 1
    end
  end
end
return removed
