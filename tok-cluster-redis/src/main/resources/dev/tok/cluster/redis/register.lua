-- Registers one connection of a node, atomically with single sign-on fencing.
-- KEYS[1] <prefix>{<uid>}:conns   HASH  "<node>|<connection>" -> "<epoch>|<scope>|<device>" (scope, device escaped)
-- KEYS[2] <prefix>{<uid>}:epoch   STRING the user's login counter
-- KEYS[3] <prefix>node:<node>:users SET  the uids with a connection on the node
-- ARGV: node, connection, escaped device, escaped scope, uid, mode, prefix
--   mode "0": plain; "1": replacing (single sign-on); "2": registering again after the node's lease
--   lapsed, refused when another connection of the same scope is registered (it is newer)
-- Returns {epoch, field1, value1, field2, value2, ...}: the replaced entries; or, refused,
-- {0, field, value} of the connection that won.
-- Keys of other nodes' user sets are computed here: standalone Redis only (see README).
local own = ARGV[1] .. '|' .. ARGV[2]
local function scope_of(value)
  local p1 = string.find(value, '|', 1, true)
  local p2 = string.find(value, '|', p1 + 1, true)
  return string.sub(value, p1 + 1, p2 - 1)
end
if ARGV[6] == '2' and ARGV[4] ~= '' then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i] ~= own and scope_of(all[i + 1]) == ARGV[4] then
      return {0, all[i], all[i + 1]}
    end
  end
end
local epoch = redis.call('INCR', KEYS[2])
local out = {epoch}
if ARGV[6] == '1' then
  local all = redis.call('HGETALL', KEYS[1])
  local touched = {}
  for i = 1, #all, 2 do
    local field, value = all[i], all[i + 1]
    if field ~= own then
      if scope_of(value) == ARGV[4] then
        redis.call('HDEL', KEYS[1], field)
        out[#out + 1] = field
        out[#out + 1] = value
        touched[string.sub(field, 1, string.find(field, '|', 1, true) - 1)] = true
      end
    end
  end
  -- a node left without a connection of the user leaves its user set
  local left = redis.call('HKEYS', KEYS[1])
  for node, _ in pairs(touched) do
    if node ~= ARGV[1] then
      local mark = node .. '|'
      local still = false
      for _, f in ipairs(left) do
        if string.sub(f, 1, #mark) == mark then still = true break end
      end
      if not still then redis.call('SREM', ARGV[7] .. 'node:' .. node .. ':users', ARGV[5]) end
    end
  end
end
redis.call('HSET', KEYS[1], own, epoch .. '|' .. ARGV[4] .. '|' .. ARGV[3])
redis.call('SADD', KEYS[3], ARGV[5])
return out
