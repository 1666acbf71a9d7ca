/**
 * OrderedAppender: the Redis store's write path. Appends reach Redis in call order, on one
 * connection, those queued together in one script call (one command, one reply, one PUBLISH
 * for all of them; FlushScheduler decides when a batch leaves), and keep that order through
 * everything that makes Redis refuse an append that must then be sent again:
 *
 * - NOSCRIPT (a restarted Redis has an empty script cache),
 * - EPOCH (the epoch key is gone or changed: Redis lost its data, or another node started a
 *   new epoch first), where the frame must be rebuilt with the new epoch,
 * - not connected (the append never left), or cut off in flight (it may have run: it is sent
 *   again with its eventId, and the script answers with the stored seq if it finds it among
 *   the user's latest entries, instead of storing it twice).
 *
 * Sending such an append again right away would let later appends, already on the wire,
 * overtake it. Instead the gate closes: nothing new is sent, refused appends go back into the
 * queue in call order, and once nothing is in flight the script is loaded, the epoch
 * re-read, and the queue is sent in order. While Redis is unreachable the gate stays closed
 * and appends wait, each at most `retryMs`, then fail with a STORE error; the engine ends the
 * run with agent_error `store_unavailable`.
 *
 * An append that timed out on a live connection is never sent again: it is still on the wire,
 * and a second copy could land after it. It fails; if Redis runs it later, the event is stored
 * in order like any other, and refused if its run has ended meanwhile.
 */
import { AgentwireError, InternalErrorCode, RunClosedError, errorMessage } from '../errors/agentwire-error.js';
import { isTerminalType } from '../protocol/events.js';
import { FlushScheduler } from '../store/flush-scheduler.js';
import { TERMINAL_STATUS, type EventDraft, type StoredEvent } from '../store/event-store.js';
import type { Logger } from '../observability/logger.js';
import { APPEND, isNoScript } from './lua-scripts.js';
import { encodeFrameParts, eventIdMark, joinFrame, type FrameParts } from '../protocol/frame-codec.js';
import type { RedisKeys } from './redis-keys.js';
import { ConnectionLostError, isConnectionError, type RedisLink } from './redis-link.js';

export interface AppenderOptions {
  link: RedisLink;
  keys: RedisKeys;
  maxEventsPerUser: number;
  /** How long an append may wait for Redis before it fails. */
  retryMs: number;
  /** The epoch appends are written under. */
  epoch(): string;
  /** Re-reads (or starts) the epoch in force; called before the gate reopens. */
  syncEpoch(): Promise<void>;
  /** A terminal event was stored for a run claimed on `nodeId`. */
  onRunEnded(runId: string, userId: string, nodeId: string): void;
  logger: Logger;
}

interface PendingAppend {
  readonly index: number;
  readonly draft: EventDraft;
  readonly deadline: number;
  readonly resolve: (event: StoredEvent) => void;
  readonly reject: (error: Error) => void;
  /** Sent before and cut off in flight: it may be stored already. */
  uncertain: boolean;
}

const EXPIRY_CHECK_MS = 100;
/** How far back an append that may have run looks for itself (other nodes may have appended for the user since). */
const DUPLICATE_SCAN = 1000;
const MAX_BACKOFF_MS = 1000;
/** Events per script call at most: Redis runs a script to its end before serving anyone else. */
const MAX_BATCH = 128;
/** Script calls per turn of the event loop sent as soon as the appending callback returns. */
const QUICK_SENDS_PER_TURN = 32;

export class OrderedAppender {
  readonly #o: AppenderOptions;
  #calls = 0;
  /** Appends not (or no longer) on the wire, ascending call index. */
  #queue: PendingAppend[] = [];
  #pumpScheduled = false;
  #inflight = 0;
  #open = false;
  #recovering = false;
  #failures = 0;
  /** Why the last append had to wait (a Redis error, or not connected), for the error an expired one gets. */
  #lastRefusal = '';
  #closed = false;
  #expiryTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: AppenderOptions) {
    this.#o = options;
    options.link.redis.on('close', () => {
      this.#open = false;
      this.#armExpiry();
    });
    options.link.redis.on('ready', () => {
      this.#recover();
    });
  }

  /** true while appends go straight to Redis. */
  get open(): boolean {
    return this.#open && this.#o.link.redis.status === 'ready';
  }

  /** Opens the gate for the first time; resolves once appends can flow. */
  async start(): Promise<void> {
    await this.#prepare();
    this.#open = true;
    this.#pump();
  }

  append(draft: EventDraft): Promise<StoredEvent> {
    if (this.#closed) return Promise.reject(new AgentwireError(InternalErrorCode.STORE, 'the Redis store is closed'));
    return new Promise((resolve, reject) => {
      const pending: PendingAppend = { index: ++this.#calls, draft, deadline: Date.now() + this.#o.retryMs, resolve, reject, uncertain: false };
      this.#queue.push(pending);
      if (this.open) {
        // Appends queued together leave in one script call (FlushScheduler says when).
        if (!this.#pumpScheduled) {
          this.#pumpScheduled = true;
          this.#pumps.schedule();
        }
        return;
      }
      this.#open = false;
      this.#armExpiry();
      this.#recover();
    });
  }

  /** Fails every waiting append; in-flight ones settle with their reply, or fail if it does not come. */
  close(): void {
    this.#closed = true;
    this.#open = false;
    clearInterval(this.#expiryTimer);
    clearTimeout(this.#retryTimer);
    const queued = this.#queue;
    this.#queue = [];
    for (const pending of queued) pending.reject(new AgentwireError(InternalErrorCode.STORE, 'the Redis store closed before the event was stored'));
  }

  /** One script call for the batch; each event gets its own answer. */
  #send(batch: PendingAppend[]): void {
    const { link, keys } = this.#o;
    const epoch = this.#o.epoch();
    const commandKeys: string[] = [keys.epoch, keys.ageIndex];
    const args: (string | number)[] = [epoch, this.#o.maxEventsPerUser, keys.channel, DUPLICATE_SCAN];
    const frames: FrameParts[] = [];
    for (const { draft, uncertain } of batch) {
      const frame = encodeFrameParts(draft, epoch);
      frames.push(frame);
      commandKeys.push(keys.seq(draft.userId), keys.events(draft.userId), keys.run(draft.userId, draft.runId));
      args.push(frame.head, frame.tail, draft.ts, isTerminalType(draft.type) ? TERMINAL_STATUS[draft.type] : '', draft.userId, uncertain ? eventIdMark(draft.eventId) : '');
    }
    this.#inflight += 1;
    const sent = link.redis.evalsha(APPEND.sha, commandKeys.length, ...commandKeys, ...args);
    link
      .guard(sent)
      .then(
        (reply) => {
          this.#failures = 0;
          const answers = reply as (number | string)[];
          batch.forEach((pending, i) => {
            const seq = answers[i * 3] as number;
            const nodeId = answers[i * 3 + 1] as string;
            const { draft } = pending;
            if (seq < 0) {
              pending.reject(new RunClosedError(draft.runId));
              return;
            }
            const frame = joinFrame(frames[i] as FrameParts, seq);
            pending.resolve({ seq, userId: draft.userId, threadId: draft.threadId, runId: draft.runId, type: draft.type, ts: draft.ts, frame });
            if (nodeId !== '') this.#o.onRunEnded(draft.runId, draft.userId, nodeId);
          });
        },
        (error: unknown) => {
          this.#refused(batch, error);
        },
      )
      .finally(() => {
        this.#inflight -= 1;
        if (!this.#open) this.#recover();
      });
  }

  #refused(batch: PendingAppend[], error: unknown): void {
    const message = errorMessage(error);
    if (this.#closed) {
      for (const pending of batch) pending.reject(new AgentwireError(InternalErrorCode.STORE, `the Redis store closed before the event was stored (${message})`));
      return;
    }
    if (isNoScript(error) || message.startsWith('EPOCH ') || isTransient(message) || isConnectionError(error)) {
      // Refused before any write, never sent, or cut off (then sent again with a duplicate
      // check): safe, and necessary, to send again, in call order.
      this.#open = false;
      this.#lastRefusal = message;
      if (isTransient(message)) this.#failures += 1;
      for (const pending of batch) {
        if (error instanceof ConnectionLostError) pending.uncertain = true;
        this.#requeue(pending);
      }
      this.#armExpiry();
      return;
    }
    for (const pending of batch) pending.reject(new AgentwireError(InternalErrorCode.STORE, `Redis did not store the event: ${message}`, { cause: error }));
  }

  #requeue(pending: PendingAppend): void {
    let at = 0;
    while (at < this.#queue.length && (this.#queue[at]?.index ?? Infinity) < pending.index) at += 1;
    this.#queue.splice(at, 0, pending);
  }

  /** Reopens the gate once nothing is in flight: script loaded, epoch in force known. */
  #recover(): void {
    if (this.#open || this.#recovering || this.#closed || this.#inflight > 0 || this.#o.link.redis.status !== 'ready') return;
    this.#recovering = true;
    const backoff = this.#failures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 50 * 2 ** this.#failures);
    delay(backoff)
      .then(() => this.#prepare())
      .then(
        () => {
          this.#recovering = false;
          if (this.#closed || this.#inflight > 0) return;
          this.#open = true;
          this.#pump();
        },
        (error: unknown) => {
          this.#recovering = false;
          this.#failures += 1;
          this.#o.logger.warn('Redis store not ready yet; appends wait', { error: errorMessage(error), queued: this.#queue.length });
          clearTimeout(this.#retryTimer);
          this.#retryTimer = setTimeout(() => {
            this.#recover();
          }, Math.min(MAX_BACKOFF_MS, 50 * 2 ** this.#failures)).unref();
        },
      );
  }

  async #prepare(): Promise<void> {
    await this.#o.link.redis.script('LOAD', APPEND.source);
    await this.#o.syncEpoch();
  }

  readonly #pumps = new FlushScheduler(() => {
    this.#pumpScheduled = false;
    this.#pump();
  }, QUICK_SENDS_PER_TURN);

  #pump(): void {
    while (this.#queue.length > 0 && this.open) {
      const batch: PendingAppend[] = [];
      const now = Date.now();
      while (batch.length < MAX_BATCH && this.#queue.length > 0) {
        const pending = this.#queue.shift() as PendingAppend;
        if (pending.deadline <= now) this.#expire(pending);
        else batch.push(pending);
      }
      if (batch.length > 0) this.#send(batch);
    }
    if (this.#queue.length === 0) {
      clearInterval(this.#expiryTimer);
      this.#expiryTimer = undefined;
    }
  }

  /** While the gate is closed, appends past their deadline fail (oldest first: deadlines ascend with call order). */
  #armExpiry(): void {
    if (this.#expiryTimer || this.#closed) return;
    this.#expiryTimer = setInterval(() => {
      const now = Date.now();
      while (this.#queue.length > 0 && (this.#queue[0]?.deadline ?? Infinity) <= now) this.#expire(this.#queue.shift() as PendingAppend);
      if (this.#queue.length === 0) {
        clearInterval(this.#expiryTimer);
        this.#expiryTimer = undefined;
      }
    }, EXPIRY_CHECK_MS).unref();
  }

  #expire(pending: PendingAppend): void {
    const why = this.#o.link.redis.status === 'ready' && this.#lastRefusal !== '' ? ` (Redis: ${this.#lastRefusal})` : ' (no connection)';
    pending.reject(new AgentwireError(InternalErrorCode.STORE, `Redis could not store the event within ${this.#o.retryMs} ms${why}`));
  }
}

/** Errors after which Redis did nothing and may accept the same command shortly. */
function isTransient(message: string): boolean {
  return /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|OOM) /.test(message);
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms).unref());
}
