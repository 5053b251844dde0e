-- Claims the user set of a node whose lease lapsed, or of this node leaving: returns its uids and
-- deletes it, atomically with checking the lease. The caller then removes the node's presence
-- entries of that incarnation user by user (purge.lua) and forgets the node (forget.lua). Both keys
-- share the node's hash tag (one Redis Cluster slot).
-- KEYS[1] <prefix>node:{<node>} lease, KEYS[2] <prefix>node:{<node>}:users SET
-- ARGV[1]: "" for a sweep; the node's own token when it leaves: its lease is deleted first, but only
-- if it still holds that token (a live node with the same id, or a newer incarnation, is left alone)
-- Returns {-1} when a lease is current (the node is live), else {0, uid1, uid2, ...}.
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local out = {0}
for _, uid in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out + 1] = uid end
redis.call('DEL', KEYS[2])
return out
