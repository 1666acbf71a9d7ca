/**
 * RedisLink: one command connection with the failure semantics the store needs.
 *
 * ioredis can queue commands while disconnected and re-send the ones in flight when the
 * connection comes back. Both are off here: they hide whether a command ran, and re-sending an
 * append that ran but whose reply was lost stores it twice (when Redis dies, the RST discards
 * replies the client had not read yet, so this is not a rare window under load). Instead,
 * `call` waits for the connection itself, bounded by a deadline, and a command cut off in
 * flight fails with ConnectionLostError, so the caller decides: reads and idempotent writes
 * are sent again; an append is sent again with a duplicate check (OrderedAppender).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';

/** The connection dropped while the command was in flight: it may or may not have run. */
export class ConnectionLostError extends Error {
  constructor() {
    super('the Redis connection dropped while the command was in flight');
    this.name = 'ConnectionLostError';
  }
}

interface Signal {
  promise: Promise<never>;
  fire(): void;
}

export class RedisLink {
  readonly redis: Redis;
  readonly retryMs: number;
  #lost: Signal = lossSignal();
  #ready: { promise: Promise<void>; resolve: () => void } = readySignal();

  constructor(redis: Redis, retryMs: number) {
    this.redis = redis;
    this.retryMs = retryMs;
    redis.on('close', () => {
      const lost = this.#lost;
      this.#lost = lossSignal();
      lost.fire();
    });
    redis.on('ready', () => {
      this.#ready.resolve();
      this.#ready = readySignal();
    });
  }

  /** Settles like the command, or rejects with ConnectionLostError if the connection drops first. */
  guard<T>(command: Promise<T>): Promise<T> {
    return Promise.race([command, this.#lost.promise]);
  }

  /** Resolves once the connection is ready; rejects with a STORE error at the deadline. */
  async whenReady(deadline: number): Promise<void> {
    while (this.redis.status !== 'ready') {
      const left = deadline - Date.now();
      if (left <= 0) throw unavailable(this.retryMs);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#ready.promise,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left).unref();
        }),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Runs a command that is safe to send twice: while the connection is down, or if it drops
   * mid-command, waits for it and sends the command again, until the deadline.
   */
  async call<T>(send: () => Promise<T>, deadline = Date.now() + this.retryMs): Promise<T> {
    for (;;) {
      await this.whenReady(deadline);
      try {
        return await this.guard(send());
      } catch (error) {
        if (!isConnectionError(error) || Date.now() >= deadline) throw error;
      }
    }
  }
}

/** The command never ran (not connected) or may not have (cut off in flight). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof ConnectionLostError) return true;
  const message = errorMessage(error);
  return message.startsWith("Stream isn't writeable") || message === 'Connection is closed.';
}

export function unavailable(retryMs: number): AgentwireError {
  return new AgentwireError(InternalErrorCode.STORE, `Redis was unavailable for ${retryMs} ms`);
}

function lossSignal(): Signal {
  let fire!: () => void;
  const promise = new Promise<never>((_, reject) => {
    fire = () => reject(new ConnectionLostError());
  });
  // Nobody may be racing it when it fires.
  promise.catch(() => undefined);
  return { promise, fire };
}

function readySignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * One ioredis client as the store needs it. A command connection neither queues commands while
 * disconnected nor re-sends the ones cut off in flight: RedisLink and the OrderedAppender do
 * that, knowing which commands are safe to send twice. A subscriber connection keeps ioredis's
 * own resubscription. Either way reconnects back off with full jitter, at most 500 ms apart,
 * and a command on a live connection gives up after retryMs.
 */
export function createRedisClient(url: string, retryMs: number, extra: RedisOptions = {}, role: 'commands' | 'subscriber' = 'commands'): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    commandTimeout: retryMs,
    connectTimeout: Math.min(retryMs, 5_000),
    retryStrategy: (attempt) => Math.round(Math.random() * Math.min(500, 50 * 2 ** attempt)),
    ...(role === 'commands' ? { enableOfflineQueue: false, autoResendUnfulfilledCommands: false } : {}),
    ...extra,
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
