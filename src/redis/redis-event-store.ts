/**
 * Redis EventStore: one stream per user, for many nodes sharing one Redis (standalone or
 * Sentinel). It passes the same contract suite as memory and SQLite.
 *
 * Appends go to one Lua script call per turn of the event loop (see lua-scripts.ts APPEND):
 * seqs are assigned, frames stored and the events published in one atomic step, so no decision rests on a value read in
 * an earlier round trip. The epoch lives in Redis. A Redis that comes back without its data
 * (no epoch key), or a different Redis process that may have come back with older data than
 * clients saw (see SYNC_EPOCH), gets a new epoch; the store notices on reconnect, through the
 * append script, or within one health probe, and listeners registered with onEpochChange hear
 * it: the server then closes every connection so clients resume against the new epoch and are
 * told `recovered: false`, instead of dropping the new seqs as duplicates.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';
import {
  DEFAULT_RETENTION,
  isEndedStatus,
  type ClaimRunResult,
  type EventDraft,
  type EventStore,
  type RetentionPolicy,
  type RunRecord,
  type RunStatus,
  type StoredEvent,
  type ThreadRecord,
} from '../store/event-store.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { CLAIM_RUN, CREATE_THREAD, PRUNE_USER, RUN_BY_CLIENT_MESSAGE, SET_RUN_STATUS, SYNC_EPOCH, TOUCH_THREAD } from './lua-scripts.js';
import { OrderedAppender } from './ordered-appender.js';
import { RedisKeys } from './redis-keys.js';
import { createRedisClient, redactUrl, RedisLink } from './redis-link.js';
import { fromEntry, pairs, runFields, runFromHash, seqOf, threadFromHash } from './redis-records.js';
import type { LuaScript } from './lua-scripts.js';

export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. */
  url: string;
  /** Prefix of every key and channel (default "agentwire"); several deployments can share one Redis. */
  prefix?: string;
  retention?: Partial<RetentionPolicy>;
  /**
   * How long a command may wait for an unreachable Redis before it fails (default 10 s). An
   * append that fails this way makes the run end with agent_error `store_unavailable`.
   */
  retryMs?: number;
  logger?: Logger;
  /** Extra ioredis options (TLS, Sentinel, …). */
  redisOptions?: RedisOptions;
}

export const DEFAULT_REDIS_PREFIX = 'agentwire';
export const DEFAULT_STORE_RETRY_MS = 10_000;
const HEALTH_PROBE_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_000;
const READ_PAGE = 256;
const PRUNE_BATCH = 100;

type EpochListener = (epoch: string, previous: string) => void;

export class RedisEventStore implements EventStore {
  readonly keys: RedisKeys;
  readonly redisUrl: string;
  readonly #redis: Redis;
  readonly #link: RedisLink;
  readonly #retention: RetentionPolicy;
  readonly #retryMs: number;
  readonly #logger: Logger;
  readonly #appender: OrderedAppender;
  readonly #listeners = new Set<EpochListener>();
  readonly #probe: NodeJS.Timeout;
  #epoch = '';
  #probeOk = true;
  #closed = false;

  /** Connects, reads (or starts) the epoch and loads the scripts. */
  static async open(options: RedisStoreOptions): Promise<RedisEventStore> {
    const store = new RedisEventStore(options);
    try {
      await store.#redis.connect();
      await store.#appender.start();
    } catch (error) {
      await store.close();
      throw new AgentwireError(InternalErrorCode.STORE, `cannot open the Redis store at ${redactUrl(options.url)}: ${errorMessage(error)}`, { cause: error });
    }
    return store;
  }

  private constructor(options: RedisStoreOptions) {
    this.keys = new RedisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX);
    this.redisUrl = options.url;
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.#retryMs = options.retryMs ?? DEFAULT_STORE_RETRY_MS;
    this.#logger = options.logger ?? silentLogger;
    this.#redis = createRedisClient(options.url, this.#retryMs, options.redisOptions);
    this.#link = new RedisLink(this.#redis, this.#retryMs);
    this.#redis.on('error', (error: Error) => {
      this.#logger.debug('Redis connection error', { error: error.message });
    });
    this.#appender = new OrderedAppender({
      link: this.#link,
      keys: this.keys,
      maxEventsPerUser: this.#retention.maxEventsPerUser,
      retryMs: this.#retryMs,
      epoch: () => this.#epoch,
      syncEpoch: () => this.#syncEpoch(),
      onRunEnded: (runId, _userId, nodeId) => {
        this.#redis.hdel(this.keys.nodeRuns(nodeId), runId).catch((error: unknown) => {
          this.#logger.warn('could not drop an ended run from its node index', { runId, error: errorMessage(error) });
        });
      },
      logger: this.#logger,
    });
    this.#probe = setInterval(() => {
      this.#probeHealth();
    }, HEALTH_PROBE_MS).unref();
  }

  get epoch(): string {
    return this.#epoch;
  }

  /** The command connection, for the parts of a Redis deployment that share it (run leases). */
  get link(): RedisLink {
    return this.#link;
  }

  /** How long commands wait for an unreachable Redis. */
  get retryMs(): number {
    return this.#retryMs;
  }

  /** Calls the listener whenever the store moves to a new epoch (Redis lost its data). Returns an unsubscribe function. */
  onEpochChange(listener: EpochListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  append(draft: EventDraft): Promise<StoredEvent> {
    return this.#appender.append(draft);
  }

  async readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const entries = await this.#command(() => this.#redis.xrange(this.keys.events(userId), `${afterSeq + 1}-0`, '+', 'COUNT', limit));
    return entries.map((entry) => fromEntry(userId, entry));
  }

  async lastSeq(userId: string): Promise<number> {
    return Number((await this.#command(() => this.#redis.get(this.keys.seq(userId)))) ?? 0);
  }

  async firstSeq(userId: string): Promise<number> {
    // One MULTI so an append cannot land between the two reads.
    const replies = await this.#command(() => this.#redis.multi().xrange(this.keys.events(userId), '-', '+', 'COUNT', 1).get(this.keys.seq(userId)).exec());
    const [first, last] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    }) as [[string, string[]][], string | null];
    const entry = first[0];
    return entry ? seqOf(entry[0]) : Number(last ?? 0) + 1;
  }

  async readThread(userId: string, threadId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    // The stream is per user; a thread's events are found by reading the user's stream.
    const out: StoredEvent[] = [];
    let after = afterSeq;
    while (out.length < limit) {
      const page = await this.readAfter(userId, after, READ_PAGE);
      for (const event of page) {
        if (event.threadId === threadId) out.push(event);
        if (out.length === limit) break;
      }
      const last = page[page.length - 1];
      if (!last || page.length < READ_PAGE) break;
      after = last.seq;
    }
    return out;
  }

  async createThread(thread: ThreadRecord): Promise<void> {
    const owner = await this.#script(CREATE_THREAD, [this.keys.thread(thread.threadId)], [thread.userId, thread.title, thread.createdAt, thread.updatedAt]);
    if (owner === thread.userId) await this.#command(() => this.#redis.zadd(this.keys.threads(thread.userId), 'NX', thread.updatedAt, thread.threadId));
  }

  async getThread(threadId: string): Promise<ThreadRecord | undefined> {
    const hash = await this.#command(() => this.#redis.hgetall(this.keys.thread(threadId)));
    return threadFromHash(threadId, hash);
  }

  async renameThread(threadId: string, title: string): Promise<ThreadRecord | undefined> {
    const thread = await this.getThread(threadId);
    if (!thread) return undefined;
    await this.#command(() => this.#redis.hset(this.keys.thread(threadId), 'title', title));
    return { ...thread, title };
  }

  async deleteThread(threadId: string): Promise<boolean> {
    const thread = await this.getThread(threadId);
    if (!thread) return false;
    // The user's seq counter is a separate key, so deleting stream entries never lowers the head.
    const ids: string[] = [];
    let after = 0;
    for (;;) {
      const entries = await this.#command(() => this.#redis.xrange(this.keys.events(thread.userId), `${after + 1}-0`, '+', 'COUNT', READ_PAGE));
      for (const entry of entries) if (fromEntry(thread.userId, entry).threadId === threadId) ids.push(entry[0]);
      const last = entries[entries.length - 1];
      if (!last || entries.length < READ_PAGE) break;
      after = seqOf(last[0]);
    }
    for (let i = 0; i < ids.length; i += READ_PAGE) {
      const chunk = ids.slice(i, i + READ_PAGE);
      await this.#command(() => this.#redis.xdel(this.keys.events(thread.userId), ...chunk));
    }
    await this.#command(() => this.#redis.multi().del(this.keys.thread(threadId)).zrem(this.keys.threads(thread.userId), threadId).exec());
    return true;
  }

  async listThreads(userId: string, limit: number): Promise<ThreadRecord[]> {
    if (limit <= 0) return [];
    const ids = await this.#command(() => this.#redis.zrevrange(this.keys.threads(userId), 0, limit - 1, 'WITHSCORES'));
    const order: [string, number][] = [];
    for (let i = 0; i + 1 < ids.length; i += 2) order.push([ids[i] as string, Number(ids[i + 1])]);
    const replies = (await this.#command(() => {
      const pipeline = this.#redis.pipeline();
      for (const [threadId] of order) pipeline.hgetall(this.keys.thread(threadId));
      return pipeline.exec();
    })) ?? [];
    const out: ThreadRecord[] = [];
    order.forEach(([threadId, updatedAt], i) => {
      const thread = threadFromHash(threadId, (replies[i]?.[1] ?? {}) as Record<string, string>);
      if (thread?.userId === userId) out.push({ ...thread, updatedAt });
    });
    return out;
  }

  async claimRun(run: RunRecord): Promise<ClaimRunResult> {
    const ttl = this.#retention.maxAgeMs;
    const reply = (await this.#script(
      CLAIM_RUN,
      [this.keys.clientMessage(run.userId, run.clientMessageId), this.keys.run(run.userId, run.runId), this.keys.threads(run.userId)],
      [ttl, run.runId, run.threadId, run.createdAt, ...runFields(run)],
    )) as [number, ...string[]];
    if (reply[0] === 0) {
      const existing = runFromHash(pairs(reply.slice(1) as string[]));
      // Our own claim, sent again after its reply was lost, finds itself: it is created.
      if (existing && existing.runId !== run.runId) return { created: false, run: existing };
    }
    // Indexes outside the user's slot: the run by id, and the node's open runs.
    const nodeRuns = this.keys.nodeRuns(run.nodeId);
    await this.#command(() =>
      this.#redis
        .multi()
        .set(this.keys.runUser(run.runId), run.userId, 'PX', ttl)
        .hset(nodeRuns, run.runId, run.userId)
        .pexpire(nodeRuns, ttl)
        .exec(),
    );
    TOUCH_THREAD.run(this.#link, [this.keys.thread(run.threadId)], [run.createdAt]).catch((error: unknown) => {
      this.#logger.warn('could not touch a thread', { threadId: run.threadId, error: errorMessage(error) });
    });
    return { created: true, run: { ...run } };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const userId = await this.#command(() => this.#redis.get(this.keys.runUser(runId)));
    if (userId === null) return undefined;
    return runFromHash(await this.#command(() => this.#redis.hgetall(this.keys.run(userId, runId))));
  }

  async runByClientMessage(userId: string, clientMessageId: string): Promise<RunRecord | undefined> {
    const reply = (await this.#script(RUN_BY_CLIENT_MESSAGE, [this.keys.clientMessage(userId, clientMessageId)], [this.keys.run(userId, '')])) as string[];
    return runFromHash(pairs(reply));
  }

  async setRunStatus(runId: string, status: RunStatus): Promise<void> {
    const userId = await this.#command(() => this.#redis.get(this.keys.runUser(runId)));
    if (userId !== null) await this.#script(SET_RUN_STATUS, [this.keys.run(userId, runId)], [status]);
  }

  async unfinishedRuns(nodeId: string): Promise<RunRecord[]> {
    const key = this.keys.nodeRuns(nodeId);
    const index = await this.#command(() => this.#redis.hgetall(key));
    const runIds = Object.keys(index);
    const replies =
      runIds.length === 0
        ? []
        : ((await this.#command(() => {
            const pipeline = this.#redis.pipeline();
            for (const runId of runIds) pipeline.hgetall(this.keys.run(index[runId] ?? '', runId));
            return pipeline.exec();
          })) ?? []);
    const open: RunRecord[] = [];
    const ended: string[] = [];
    runIds.forEach((runId, i) => {
      const run = runFromHash((replies[i]?.[1] ?? {}) as Record<string, string>);
      if (run && !isEndedStatus(run.status)) open.push(run);
      else ended.push(runId);
    });
    if (ended.length > 0) await this.#command(() => this.#redis.hdel(key, ...ended));
    return open;
  }

  async prune(now: number): Promise<number> {
    const cutoff = now - this.#retention.maxAgeMs;
    let dropped = 0;
    for (;;) {
      const users = await this.#command(() => this.#redis.zrangebyscore(this.keys.ageIndex, '-inf', `(${cutoff}`, 'LIMIT', 0, PRUNE_BATCH));
      for (const userId of users) {
        dropped += Number(await this.#script(PRUNE_USER, [this.keys.events(userId), this.keys.ageIndex], [cutoff, userId]));
      }
      // Every user visited leaves the range (its score moves to an event newer than the cutoff, or it is removed).
      if (users.length < PRUNE_BATCH) return dropped;
    }
  }

  /** true while the connection is up, appends flow and the last probe answered. Cheap: no round trip. */
  healthy(): Promise<boolean> {
    return Promise.resolve(!this.#closed && this.#redis.status === 'ready' && this.#appender.open && this.#probeOk);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#probe);
    this.#appender.close();
    if (this.#redis.status === 'ready') {
      await this.#redis.quit().catch(() => undefined);
    }
    this.#redis.disconnect();
  }

  async #syncEpoch(): Promise<void> {
    const server = await this.#serverIdentity();
    const inForce = (await SYNC_EPOCH.run(this.#link, [this.keys.epoch, this.keys.epochServer], [randomUUID(), server.runId, server.durable ? '1' : '0'])) as string;
    const previous = this.#epoch;
    if (inForce === previous) return;
    this.#epoch = inForce;
    if (previous === '') return;
    this.#logger.warn('the Redis store has a new epoch (Redis lost or may have lost data); clients will be told recovered: false', { epoch: inForce, previous, server: server.runId, durable: server.durable });
    for (const listener of this.#listeners) {
      try {
        listener(inForce, previous);
      } catch (error) {
        this.#logger.error('an epoch listener failed', { error });
      }
    }
  }

  /**
   * Which Redis process answers, and whether it is durable: it fsyncs every write to its
   * append-only file and was not just promoted from a replica (second_repl_offset is set on a
   * promotion; an async replica can miss the last writes of its old primary). A Redis that
   * refuses CONFIG GET (managed services) counts as not durable: a restart then means a new
   * epoch, which is explicit, rather than reused seqs, which are silent.
   */
  async #serverIdentity(): Promise<{ runId: string; durable: boolean }> {
    const info = await this.#redis.info();
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
    const fsync = await this.#redis.config('GET', 'appendfsync').then(
      (reply) => (reply as string[])[1],
      () => undefined,
    );
    const durable = field('aof_enabled') === '1' && fsync === 'always' && (field('second_repl_offset') ?? '-1') === '-1';
    return { runId: field('run_id') ?? 'unknown', durable };
  }

  /** Every HEALTH_PROBE_MS: Redis answers in time, and the epoch is still the one in force. */
  #probeHealth(): void {
    if (this.#redis.status !== 'ready' || this.#epoch === '') return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PROBE_TIMEOUT_MS).unref();
    });
    Promise.race([this.#redis.get(this.keys.epoch), timeout]).then(
      (answer) => {
        clearTimeout(timer);
        this.#probeOk = answer !== 'timeout';
        // Data gone under a live connection (FLUSHALL, a restart faster than the probe):
        // settle the epoch now rather than at this node's next append.
        if (answer !== 'timeout' && answer !== this.#epoch) return this.#syncEpoch();
        return undefined;
      },
      () => {
        clearTimeout(timer);
        this.#probeOk = false;
      },
    ).catch((error: unknown) => {
      this.#logger.warn('could not settle the epoch after a probe', { error: errorMessage(error) });
    });
  }

  /** Runs one read or bookkeeping command; Redis failures become STORE errors with the command's message. */
  /**
   * Runs one read or bookkeeping command, safe to send twice: waits for a reconnect, bounded
   * by retryMs (RedisLink.call). Redis failures become STORE errors with the command's message.
   */
  async #command<T>(send: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new AgentwireError(InternalErrorCode.STORE, 'the Redis store is closed');
    try {
      return await this.#link.call(send);
    } catch (error) {
      throw storeError(error);
    }
  }

  async #script(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    if (this.#closed) throw new AgentwireError(InternalErrorCode.STORE, 'the Redis store is closed');
    try {
      return await script.run(this.#link, keys, args);
    } catch (error) {
      throw storeError(error);
    }
  }
}

function storeError(error: unknown): AgentwireError {
  return error instanceof AgentwireError ? error : new AgentwireError(InternalErrorCode.STORE, `Redis: ${errorMessage(error)}`, { cause: error });
}

