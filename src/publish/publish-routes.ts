/**
 * The publish API, for detached workers (docs/remote-agents.md):
 *   POST /api/runs                  service credential; starts a run for a user, answers a run token
 *   POST /api/runs/:runId/events    run token; appends a batch {producerId, producerSeq, events}
 *
 * Appends are idempotent and ordered per run: the first producer to append owns the run (a
 * second is fenced); batch n+1 follows batch n (a gap is refused with the expected number); a
 * retried batch gets the answer it got the first time, from the ledger, after a restart too.
 * Appends to one run are handled one at a time, so two racing retries cannot both apply.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { Counter } from 'prom-client';
import { mintVerifiedIdentity } from '../context/verified-identity.js';
import { errorMessage } from '../errors/agentwire-error.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import { MAX_ID_LENGTH } from '../protocol/schema.js';
import { isEndedStatus, type EventStore } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import { HttpError, pathParameter, readJsonBody, type HttpRoute } from '../server/http-api.js';
import type { Logger } from '../observability/logger.js';
import { decodeAgentwireObject } from '../remote/agentwire-decoder.js';
import type { WorkerAction } from '../remote/worker-action.js';
import type { PublishCredentials } from './credentials.js';
import type { Delivery, DetachedRuns } from './detached-runs.js';
import type { ProducerLedger } from './producer-ledger.js';
import { PublishErrorCode } from './publish-codes.js';
import { KeyedRateLimiter } from '../transport/keyed-rate-limiter.js';

export interface PublishLimits {
  /** Events in one batch (default 100). */
  maxBatchEvents: number;
  /** Bytes of one batch request body (default 256 KiB). */
  maxBatchBytes: number;
  /** Batches per second per producer, sustained (default 20; bursts of twice that). */
  batchesPerSecond: number;
}

export const DEFAULT_PUBLISH_LIMITS: PublishLimits = { maxBatchEvents: 100, maxBatchBytes: 256 * 1024, batchesPerSecond: 20 };

export interface PublishRouteOptions {
  engine: ExecutionEngine;
  store: EventStore;
  credentials: PublishCredentials;
  detached: DetachedRuns;
  /** Agent names served by detached producers; the first is the default of POST /api/runs. */
  detachedAgents: readonly string[];
  ledger: ProducerLedger;
  metrics: Metrics;
  logger: Logger;
  limits: PublishLimits;
  /** Lifetime of a run token (the engine's run timeout plus a minute). */
  runTokenTtlSec: number;
}

const id = z.string().min(1).max(MAX_ID_LENGTH);
const startSchema = z.object({ userId: z.string().min(1), threadId: id.optional(), agent: z.string().min(1).max(64).optional(), input: z.string().min(1), clientMessageId: id.optional() });
const batchSchema = z.object({ producerId: id, producerSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), events: z.array(z.unknown()) });

/** How often a batch waiting for a queued run checks that the run has not ended meanwhile. */
const QUEUED_CHECK_MS = 500;

export function publishRoutes(options: PublishRouteOptions): HttpRoute[] {
  const api = new PublishApi(options);
  return [
    { method: 'POST', pattern: /^\/api\/runs$/, handler: (req, res) => api.start(req, res) },
    { method: 'POST', pattern: /^\/api\/runs\/([^/]+)\/events$/, handler: (req, res, _url, match) => api.append(req, res, pathParameter(match[1])) },
  ];
}

class PublishApi {
  readonly #o: PublishRouteOptions;
  readonly #limiter: KeyedRateLimiter;
  readonly #refusals: Counter<'code'>;
  /** Per-run chain: appends to one run run one at a time. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(options: PublishRouteOptions) {
    this.#o = options;
    this.#limiter = new KeyedRateLimiter({ rate: options.limits.batchesPerSecond });
    this.#refusals = new Counter({ name: 'agentwire_publish_refusals_total', help: 'Publish API requests refused, by code', labelNames: ['code'], registers: [options.metrics.registry] });
  }

  async start(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.#guard(res, async () => {
      await this.#o.credentials.verifyService(bearer(req)).catch((error: unknown) => {
        throw new HttpError(PublishErrorCode.UNAUTHORIZED, errorMessage(error));
      });
      const parsed = startSchema.safeParse(await readJsonBody(req, { maxBytes: this.#o.limits.maxBatchBytes }));
      if (!parsed.success) throw new HttpError(PublishErrorCode.INVALID_MESSAGE, issue(parsed.error));
      const request = parsed.data;
      let identity;
      try {
        identity = mintVerifiedIdentity(request.userId, undefined);
      } catch (error) {
        throw new HttpError(PublishErrorCode.INVALID_MESSAGE, errorMessage(error));
      }
      const agent = request.agent ?? this.#o.detachedAgents[0];
      const submitted = await this.#o.engine.submit(identity, { text: request.input, threadId: request.threadId, agent, clientMessageId: request.clientMessageId ?? `publish:${randomUUID()}` });
      if (!submitted.ok) throw new HttpError(submitted.code, submitted.message);
      const detached = agent !== undefined && this.#o.detachedAgents.includes(agent);
      if (detached && !submitted.duplicate) this.#o.detached.open(submitted.runId);
      const runToken = detached ? await this.#o.credentials.mintRunToken({ runId: submitted.runId, userId: identity.userId }, this.#o.runTokenTtlSec) : undefined;
      send(res, submitted.duplicate ? 200 : 201, {
        runId: submitted.runId,
        threadId: submitted.threadId,
        duplicate: submitted.duplicate,
        ...(runToken ? { runToken, appendUrl: `/api/runs/${encodeURIComponent(submitted.runId)}/events` } : {}),
      });
    });
  }

  async append(req: IncomingMessage, res: ServerResponse, runId: string): Promise<void> {
    await this.#guard(res, async () => {
      const claims = await this.#o.credentials.verifyRunToken(bearer(req)).catch((error: unknown) => {
        throw new HttpError(PublishErrorCode.UNAUTHORIZED, errorMessage(error));
      });
      if (claims.runId !== runId) throw new HttpError(PublishErrorCode.FORBIDDEN, 'this run token is for another run');
      const batch = await this.#readBatch(req);
      const wait = this.#limiter.takeOrWait(`${runId}\n${batch.producerId}`);
      if (wait > 0) throw new Refusal(PublishErrorCode.RATE_LIMITED, 'the producer appends faster than its rate', { retryAfterMs: wait });
      const answer = await this.#serialised(runId, () => this.#apply(runId, batch));
      send(res, 200, answer);
    });
  }

  async #readBatch(req: IncomingMessage): Promise<z.infer<typeof batchSchema>> {
    let body: unknown;
    try {
      body = await readJsonBody(req, { maxBytes: this.#o.limits.maxBatchBytes });
    } catch (error) {
      if (error instanceof HttpError && error.status === 413) throw new HttpError(PublishErrorCode.BATCH_TOO_LARGE, error.message);
      throw error;
    }
    const parsed = batchSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(PublishErrorCode.INVALID_MESSAGE, issue(parsed.error));
    if (parsed.data.events.length > this.#o.limits.maxBatchEvents) throw new HttpError(PublishErrorCode.BATCH_TOO_LARGE, `a batch may hold at most ${this.#o.limits.maxBatchEvents} events`);
    return parsed.data;
  }

  /** Decides one batch: fenced, retried, gap, ended, invalid, or applied. */
  async #apply(runId: string, batch: z.infer<typeof batchSchema>): Promise<unknown> {
    const state = await this.#o.ledger.get(runId);
    if (state && state.producerId !== batch.producerId) throw new HttpError(PublishErrorCode.PRODUCER_FENCED, 'another producer already appends to this run');
    const last = state?.producerSeq ?? 0;
    if (state && batch.producerSeq <= last) {
      // A retry: the answer it got the first time (an older one than the last is acknowledged as such).
      return batch.producerSeq === last ? { ...(JSON.parse(state.answer) as object), duplicate: true } : { runId, producerSeq: batch.producerSeq, duplicate: true };
    }
    if (batch.producerSeq !== last + 1) throw new Refusal(PublishErrorCode.PRODUCER_SEQ_GAP, `expected producerSeq ${last + 1}`, { expected: last + 1 });
    const record = await this.#o.store.getRun(runId);
    if (!record || isEndedStatus(record.status)) throw new HttpError(PublishErrorCode.RUN_ENDED, 'the run has ended');
    const actions = decodeBatch(batch.events);
    if ((await this.#deliverWhileLive(runId, actions)) === 'ended') throw new HttpError(PublishErrorCode.RUN_ENDED, 'the run has ended');
    const answer = { runId, producerSeq: batch.producerSeq, accepted: batch.events.length };
    await this.#o.ledger.set(runId, { producerId: batch.producerId, producerSeq: batch.producerSeq, answer: JSON.stringify(answer) });
    return { ...answer, duplicate: false };
  }

  /**
   * A batch for a run still queued waits until it runs; if the run ends first (cancelled or timed
   * out in the queue, so its agent never starts), the store says so, and the batch is answered.
   */
  async #deliverWhileLive(runId: string, actions: readonly WorkerAction[]): Promise<Delivery> {
    const pending = this.#o.detached.deliver(runId, actions);
    for (;;) {
      const outcome = await Promise.race([pending, delay(QUEUED_CHECK_MS)]);
      if (outcome) return outcome;
      const record = await this.#o.store.getRun(runId);
      if (!record || isEndedStatus(record.status)) {
        this.#o.detached.discard(runId);
        return 'ended';
      }
    }
  }

  async #serialised<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(runId) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.then(() => undefined, () => undefined);
    this.#chains.set(runId, settled);
    void settled.then(() => {
      if (this.#chains.get(runId) === settled) this.#chains.delete(runId);
    });
    return result;
  }

  /** Answers refusals with their code (and extra fields) and counts them. */
  async #guard(res: ServerResponse, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      this.#refusals.inc({ code: error.code });
      this.#o.logger.debug('publish API refused a request', { code: error.code, message: error.message });
      // Plain refusals are answered by the HTTP layer; these carry fields it does not know.
      if (!(error instanceof Refusal)) throw error;
      send(res, error.status, { error: { code: error.code, message: error.message, ...error.extra } });
    }
  }
}

/** A refusal whose body carries more than code and message (expected, retryAfterMs). */
class Refusal extends HttpError {
  constructor(code: PublishErrorCode, message: string, readonly extra: Record<string, unknown>) {
    super(code, message);
  }
}

function decodeBatch(events: readonly unknown[]): WorkerAction[] {
  return events.map((event, index) => {
    try {
      return decodeAgentwireObject(event);
    } catch (error) {
      throw new HttpError(PublishErrorCode.INVALID_EVENT, `events[${index}]: ${errorMessage(error)}`);
    }
  });
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function issue(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first?.path.join('.') ?? ''} ${first?.message ?? 'invalid'}`.trim();
}
