-- Claims the user set of a node whose lease lapsed (or that leaves, after deleting its lease): returns
-- its uids and deletes it, atomically with checking that the lease is still absent. The caller then
-- removes the node's presence entries of that incarnation user by user (purge.lua) and forgets the
-- node (forget.lua). Both keys share the node's hash tag (one Redis Cluster slot).
-- KEYS[1] <prefix>node:{<node>} lease, KEYS[2] <prefix>node:{<node>}:users SET
-- Returns {-1} when the lease is current (the node is live again), else {0, uid1, uid2, ...}.
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local out = {0}
for _, uid in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out + 1] = uid end
redis.call('DEL', KEYS[2])
return out
