/**
 * The Lua scripts of the Redis back-end. Each one is a single atomic step on the server: no
 * decision is ever taken on a value read in an earlier round trip.
 */
import { createHash } from 'node:crypto';
import type { RedisLink } from './redis-link.js';

export class LuaScript {
  readonly sha: string;

  constructor(
    readonly name: string,
    readonly numberOfKeys: number,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * EVALSHA, and EVAL when the server does not know the script (a restarted Redis); sent again
   * if the connection drops (RedisLink.call), so only for scripts that are safe to run twice
   * and whose order relative to other calls does not matter. Appends go through the
   * OrderedAppender instead.
   */
  run(link: RedisLink, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return link.call(async () => {
      try {
        return await link.redis.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return link.redis.eval(this.source, this.numberOfKeys, ...keys, ...args);
      }
    });
  }
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Append a batch of events (those issued in one turn of the event loop), in order.
 * KEYS: epoch, age index, then for each event its user's seq key, events stream, run key.
 * ARGV: expected epoch, max events kept per user, channel, how many recent entries a possible
 * duplicate looks through, then for each event: frame head (up to `"seq":`), frame tail, ts (ms),
 * terminal run status or '', userId, and the text that marks the event's eventId in a frame
 * (frame-codec's eventIdMark) to look for first, or ''.
 *
 * Checks the epoch once (a Redis that lost its data has none: the caller settles a new one, and
 * sends the whole batch again). Then, per event and in order: for an append that may already
 * have run (its connection dropped in flight), looks for its eventId among the user's latest
 * entries and answers with that seq instead of storing it twice; refuses an event whose run has
 * ended; assigns the seq, stores the frame under id `<seq>-0`, trims to the retention count and
 * ends the run on a terminal event. Last, one PUBLISH carries every stored event of the batch as
 * `seq \n ts \n userId \n frame` records joined by `\n` (frames are JSON, user ids printable:
 * neither holds a newline) — atomically with the seqs, so the channel carries each user's events
 * in seq order. Returns three values per event: seq (-1: its run had ended), nodeId of the run
 * (terminal events only, else ''), 1 if it was stored already else 0.
 */
export const APPEND = new LuaScript(
  'append_batch',
  // The number of keys depends on the batch: OrderedAppender passes it with each call.
  -1,
  `
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then return redis.error_reply('EPOCH ' .. (epoch or 'none')) end
local out, published = {}, {}
for i = 0, (#KEYS - 2) / 3 - 1 do
  local seqKey, events, run = KEYS[3 + i * 3], KEYS[4 + i * 3], KEYS[5 + i * 3]
  local a = 4 + i * 6
  local ts, terminal, user, needle = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
  local found = nil
  if needle ~= '' then
    for _, entry in ipairs(redis.call('XREVRANGE', events, '+', '-', 'COUNT', tonumber(ARGV[4]))) do
      if string.find(entry[2][2], needle, 1, true) then
        found = tonumber(string.match(entry[1], '^%d+'))
        break
      end
    end
  end
  if found then
    out[#out + 1] = found; out[#out + 1] = ''; out[#out + 1] = 1
  else
    local status = redis.call('HGET', run, 'status')
    if status == 'completed' or status == 'error' or status == 'died' then
      out[#out + 1] = -1; out[#out + 1] = ''; out[#out + 1] = 0
    else
      local seq = redis.call('INCR', seqKey)
      local frame = ARGV[a + 1] .. seq .. ARGV[a + 2]
      redis.call('XADD', events, 'MAXLEN', ARGV[2], seq .. '-0', 'f', frame, 'ts', ts)
      redis.call('ZADD', KEYS[2], 'NX', ts, user)
      local node = ''
      if terminal ~= '' and status then
        redis.call('HSET', run, 'status', terminal)
        node = redis.call('HGET', run, 'nodeId') or ''
      end
      published[#published + 1] = seq .. '\\n' .. ts .. '\\n' .. user .. '\\n' .. frame
      out[#out + 1] = seq; out[#out + 1] = node; out[#out + 1] = 0
    end
  end
end
if #published > 0 then redis.call('PUBLISH', ARGV[3], table.concat(published, '\\n')) end
return out
`,
);

/**
 * Settle the epoch after (re)connecting. KEYS: epoch, epoch server. ARGV: candidate epoch,
 * this Redis server's run_id, '1' if that server cannot have lost acknowledged writes (an
 * fsync-always append-only file, and not a replica promoted just now), else '0'.
 *
 * The epoch is kept while the same Redis process serves it. A different process (a restart,
 * a failover) keeps it only if it is durable: otherwise it may have come back with older data
 * than clients already saw (an RDB snapshot, `appendfsync everysec`, an async replica), and
 * reusing those seqs would make clients drop new events as duplicates. Then a new epoch starts,
 * and clients are told `recovered: false`. Returns the epoch in force.
 */
export const SYNC_EPOCH = new LuaScript(
  'sync_epoch',
  2,
  `
local epoch = redis.call('GET', KEYS[1])
local server = redis.call('GET', KEYS[2])
if epoch and (server == ARGV[2] or not server or ARGV[3] == '1') then
  if server ~= ARGV[2] then redis.call('SET', KEYS[2], ARGV[2]) end
  return epoch
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return ARGV[1]
`,
);

/**
 * Claim a run, idempotently on (user, clientMessageId). KEYS: clientMessage key, run key,
 * user's thread list. ARGV: ttl ms, runId, threadId, createdAt, then the record's field/value
 * pairs. Returns {1} when created, or {0, field, value, …} of the existing run. (A claim whose
 * run record expired before its clientMessageId key is claimed afresh.)
 */
export const CLAIM_RUN = new LuaScript(
  'claim_run',
  3,
  `
local existing = redis.call('GET', KEYS[1])
if existing then
  local prefix = string.sub(KEYS[2], 1, #KEYS[2] - #ARGV[2])
  local record = redis.call('HGETALL', prefix .. existing)
  if #record > 0 then
    table.insert(record, 1, 0)
    return record
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], 'XX', ARGV[4], ARGV[3])
return {1}
`,
);

/** The run a clientMessageId claimed. KEYS: clientMessage key. ARGV: run key prefix. Returns its fields, or {}. */
export const RUN_BY_CLIENT_MESSAGE = new LuaScript(
  'run_by_client_message',
  1,
  `
local runId = redis.call('GET', KEYS[1])
if not runId then return {} end
return redis.call('HGETALL', ARGV[1] .. runId)
`,
);

/**
 * Set a run's status unless it has ended: a late "running" must never reopen a run whose
 * terminal event is stored. KEYS: run key. ARGV: status.
 */
export const SET_RUN_STATUS = new LuaScript(
  'set_run_status',
  1,
  `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'completed' or status == 'error' or status == 'died' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
return 1
`,
);

/**
 * Create a thread unless it exists (its owner never changes). KEYS: thread key. ARGV: userId,
 * title, createdAt, updatedAt. Returns the owner: the caller's userId when it created the
 * thread now or earlier (a create sent again after a lost reply), another user's otherwise.
 */
export const CREATE_THREAD = new LuaScript(
  'create_thread',
  1,
  `
local owner = redis.call('HGET', KEYS[1], 'userId')
if owner then return owner end
redis.call('HSET', KEYS[1], 'userId', ARGV[1], 'title', ARGV[2], 'createdAt', ARGV[3], 'updatedAt', ARGV[4])
return ARGV[1]
`,
);

/** Touch a thread's updatedAt if it exists. KEYS: thread key. ARGV: updatedAt. */
export const TOUCH_THREAD = new LuaScript(
  'touch_thread',
  1,
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[1])
return 1
`,
);

/**
 * Drop one user's events older than a cutoff and move the user's age-index score to the
 * oldest event left (or remove the user from the index when none is left). KEYS: events, age
 * index. ARGV: cutoff ms, userId. Returns how many events were dropped.
 */
export const PRUNE_USER = new LuaScript(
  'prune_user',
  2,
  `
local cutoff = tonumber(ARGV[1])
local dropped = 0
local from = '-'
while true do
  local batch = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 256)
  if #batch == 0 then
    if dropped > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', 0) end
    redis.call('ZREM', KEYS[2], ARGV[2])
    return dropped
  end
  for _, entry in ipairs(batch) do
    local ts = tonumber(entry[2][4])
    if ts >= cutoff then
      if dropped > 0 then redis.call('XTRIM', KEYS[1], 'MINID', entry[1]) end
      redis.call('ZADD', KEYS[2], ts, ARGV[2])
      return dropped
    end
    dropped = dropped + 1
  end
  from = '(' .. batch[#batch][1]
end
`,
);

/**
 * Renew (or take) leases. KEYS: leases, lease records. ARGV: lease ms, then runId/record
 * pairs. Expiry is computed from Redis's clock, so nodes' clocks never need to agree.
 */
export const RENEW_LEASES = new LuaScript(
  'renew_leases',
  2,
  `
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], expires, ARGV[i])
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
return #ARGV / 2
`,
);

/**
 * Claim expired leases for ending. KEYS: leases, lease records. ARGV: max count, claim ms.
 * A claimed lease is pushed claim ms into the future, so concurrent sweepers on other nodes
 * skip it; if the claimer dies too, the claim expires and another sweeper takes it. Returns
 * runId/record pairs.
 */
export const CLAIM_EXPIRED = new LuaScript(
  'claim_expired',
  2,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out
`,
);
