-- tok-queue-redis: every operation on one user's queue, atomically (one script call = one
-- operation; Redis runs scripts one at a time). Keys, all with the user's {hash tag} so they share
-- one Redis Cluster slot:
--   KEYS[1] meta     HASH    seq (last id given), bytes (payload bytes of the stored messages)
--   KEYS[2] log      STREAM  entry id "<id>-0", fields e (expiry, epoch ms) and p (payload)
--   KEYS[3] exp      ZSET    member "<id>-0", score = expiry (epoch ms): finds expired entries
--   KEYS[4] cursors  HASH    device id -> last acknowledged id
--   KEYS[5] sent     HASH    enqueue token -> the id it got, for tokens of the last few seconds
--   KEYS[6] sent-at  ZSET    enqueue token by when it was used (epoch ms), to forget them
-- ARGV[1] the operation, ARGV[2] now (epoch ms, the caller's clock), then the operation's own.
-- Numbers are handled as strings where they may exceed 2^53 (Lua numbers are doubles); ids are
-- below 2^53 (they start at now-in-ms * 1000).
local meta, log, exp, cursors, sent, sentAt = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local op, now = ARGV[1], ARGV[2]

-- Removes the expired messages; keeps the byte count.
local function purge()
  local ids = redis.call('ZRANGE', exp, '-inf', now, 'BYSCORE')
  if #ids == 0 then
    return
  end
  local freed = 0
  for i = 1, #ids do
    local e = redis.call('XRANGE', log, ids[i], ids[i])
    if #e > 0 then
      freed = freed + #e[1][2][4]
      redis.call('XDEL', log, ids[i])
    end
  end
  redis.call('ZREMRANGEBYSCORE', exp, '-inf', now)
  if freed > 0 then
    redis.call('HINCRBY', meta, 'bytes', -freed)
  end
end

-- Removes every message with an id up to upTo (a decimal string); returns how many.
local function removeUpTo(upTo)
  local e = redis.call('XRANGE', log, '-', upTo)
  if #e == 0 then
    return 0
  end
  local freed = 0
  local ids = {}
  for i = 1, #e do
    freed = freed + #e[i][2][4]
    ids[#ids + 1] = e[i][1]
    if #ids == 500 then
      redis.call('ZREM', exp, unpack(ids))
      ids = {}
    end
  end
  if #ids > 0 then
    redis.call('ZREM', exp, unpack(ids))
  end
  -- exact trim: every entry below "<last id>-1", i.e. up to and including the last one listed
  redis.call('XTRIM', log, 'MINID', string.match(e[#e][1], '^(%d+)') .. '-1')
  redis.call('HINCRBY', meta, 'bytes', -freed)
  return #e
end

-- Moves the deadline of all the user's keys to at least keepUntil (epoch ms) and creates the id
-- counter, seeded with now-in-ms * 1000 so that ids keep increasing even after every key of the
-- user expired. The keys always share one deadline: the latest ever asked for. Its first write
-- (PEXPIREAT) is one Redis allows at maxmemory, which lets cursor and acknowledge operations run
-- when Redis is out of memory (a script is refused only when its first write may grow memory).
local function keep(keepUntil)
  local deadline = tonumber(keepUntil)
  local current = redis.call('PEXPIRETIME', meta)
  if current > deadline then
    deadline = current
  end
  for i = 1, #KEYS do
    redis.call('PEXPIREAT', KEYS[i], deadline)
  end
  if redis.call('HSETNX', meta, 'seq', now .. '000') == 1 then
    redis.call('PEXPIREAT', meta, deadline)
  end
end

if op == 'enqueue' then
  -- ARGV: 3 payload, 4 expiry (ms), 5 max messages, 6 max bytes, 7 keep-until (ms), 8 token,
  -- 9 forget tokens used before (ms)
  local payload, expiry, token = ARGV[3], ARGV[4], ARGV[8]
  -- first write: one Redis refuses at maxmemory (OOM error), so a full Redis refuses the message.
  -- When it creates meta, every way out below gives the keys their deadline (keep).
  local created = redis.call('HSETNX', meta, 'seq', now .. '000') == 1
  -- the same call again (the client re-sent it after a reconnect: its reply was lost): same id
  local old = redis.call('ZRANGE', sentAt, '-inf', '(' .. ARGV[9], 'BYSCORE', 'LIMIT', 0, 500)
  if #old > 0 then
    redis.call('HDEL', sent, unpack(old))
    redis.call('ZREM', sentAt, unpack(old))
  end
  local earlier = redis.call('HGET', sent, token)
  if earlier then
    return {1, tonumber(earlier)}
  end
  if tonumber(expiry) <= tonumber(now) then
    -- already expired: it gets an id and is never seen
    keep(ARGV[7])
    return {0, redis.call('HINCRBY', meta, 'seq', 1)}
  end
  purge()
  local count = redis.call('XLEN', log)
  if count >= tonumber(ARGV[5]) then
    if created then
      keep(ARGV[7])
    end
    return {2, count}
  end
  local bytes = tonumber(redis.call('HGET', meta, 'bytes') or '0')
  if bytes + #payload > tonumber(ARGV[6]) then
    if created then
      keep(ARGV[7])
    end
    return {3, bytes}
  end
  local id = redis.call('HINCRBY', meta, 'seq', 1)
  local sid = string.format('%d', id) .. '-0'
  redis.call('XADD', log, sid, 'e', expiry, 'p', payload)
  redis.call('ZADD', exp, expiry, sid)
  redis.call('HINCRBY', meta, 'bytes', #payload)
  redis.call('HSET', sent, token, id)
  redis.call('ZADD', sentAt, now, token)
  -- meta, log, exp and the token keys may be new: give them all the deadline
  keep(ARGV[7])
  return {1, id}
elseif op == 'read' then
  -- ARGV: 3 first id ("-" for the oldest), 4 max
  purge()
  return redis.call('XRANGE', log, ARGV[3], '+', 'COUNT', ARGV[4])
elseif op == 'size' then
  purge()
  return redis.call('XLEN', log)
elseif op == 'ack' then
  -- ARGV: 3 up to id
  purge()
  return removeUpTo(ARGV[3])
elseif op == 'cursor' then
  -- ARGV: 3 device id, 4 keep-until (ms)
  keep(ARGV[4])
  local c = redis.call('HGET', cursors, ARGV[3])
  if not c then
    c = '0'
    redis.call('HSET', cursors, ARGV[3], c)
    keep(ARGV[4])
  end
  return c
elseif op == 'ack-device' then
  -- ARGV: 3 device id, 4 up to id, 5 keep-until (ms)
  keep(ARGV[5])
  local old = redis.call('HGET', cursors, ARGV[3])
  if (not old) or tonumber(ARGV[4]) > tonumber(old) then
    redis.call('HSET', cursors, ARGV[3], ARGV[4])
    keep(ARGV[5])
  end
  purge()
  local min, minText = nil, nil
  local all = redis.call('HVALS', cursors)
  for i = 1, #all do
    local n = tonumber(all[i])
    if min == nil or n < min then
      min, minText = n, all[i]
    end
  end
  if min > 0 then
    return removeUpTo(minText)
  end
  return 0
end
return redis.error_reply('tok-queue-redis: unknown operation ' .. tostring(op))
