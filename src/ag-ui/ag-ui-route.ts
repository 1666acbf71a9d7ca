/**
 * POST /api/ag-ui[/:agent]: AG-UI's HTTP binding. The body is a RunAgentInput; the answer is the
 * run as server-sent AG-UI events. The run goes through ExecutionEngine.submit like a WebSocket
 * user_message (same JWT, limits, store record, seq'd events on the user's sockets); this
 * endpoint only watches the events the bridge published, through EventTaps, and translates them.
 *
 * - Idempotent on the client's runId: a retried request with the same runId does not start a
 *   second run; it replays the run's events from the store and follows it live if it is running.
 * - The client closing the response before the run ended cancels the run (AG-UI's HttpAgent
 *   cancels by aborting the request); the user's other clients see agent_error "cancelled".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../protocol/codes.js';
import type { AgentEvent } from '../protocol/events.js';
import { errorMessage } from '../errors/agentwire-error.js';
import type { VerifiedIdentity } from '../context/verified-identity.js';
import type { EventTaps } from '../bridge/event-taps.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import type { EventStore, StoredEvent } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import { extractToken, type Authenticator } from '../transport/authenticator.js';
import { HttpError, pathParameter, readJsonBody, type HttpRoute } from '../server/http-api.js';
import type { Logger } from '../observability/logger.js';
import { parseAgUiInput } from './ag-ui-input.js';
import { AgUiTranslator } from './ag-ui-translator.js';
import { SseWriter } from './sse-writer.js';

export interface AgUiRouteOptions {
  engine: ExecutionEngine;
  authenticator: Authenticator;
  store: EventStore;
  taps: EventTaps;
  metrics: Metrics;
  logger: Logger;
  /** Largest request body (default 1 MiB, the WebSocket frame limit). */
  maxBodyBytes: number;
  /** Deepest JSON nesting of the body, checked before parsing (the WebSocket limit, maxJsonDepth). */
  maxJsonDepth: number;
  /** How long the body may take to arrive (HttpLimits.requestTimeoutMs). */
  bodyTimeoutMs: number;
  /** Longest user message (the WebSocket limit). */
  maxTextChars: number;
  /** Unsent bytes a response may buffer before the client counts as gone (the WebSocket limit). */
  maxOutboundBytes: number;
  /** Comment lines keep idle proxies from closing the stream (default 15 s). */
  keepAliveMs?: number;
}

export const AG_UI_PATH = '/api/ag-ui';
const REPLAY_PAGE = 1000;

export function agUiRoutes(options: AgUiRouteOptions): HttpRoute[] {
  return [{ method: 'POST', pattern: /^\/api\/ag-ui(?:\/([^/]+))?$/, handler: (req, res, url, match) => runAgUi(options, req, res, url, match[1]) }];
}

async function runAgUi(o: AgUiRouteOptions, req: IncomingMessage, res: ServerResponse, url: URL, agentSegment: string | undefined): Promise<void> {
  const identity = await authenticate(o.authenticator, req, url);
  const parsed = parseAgUiInput(await readJsonBody(req, { maxBytes: o.maxBodyBytes, maxJsonDepth: o.maxJsonDepth, timeoutMs: o.bodyTimeoutMs }), o.maxTextChars);
  if (!parsed.ok) throw new HttpError(ErrorCode.INVALID_MESSAGE, parsed.message);
  const request = parsed.request;
  const threadId = await ownThread(o.store, identity.userId, request.threadId);
  // Listen before submitting, so that no event of the run can be published unseen.
  const early: StoredEvent[] = [];
  let deliver: (event: StoredEvent) => void = (event) => early.push(event);
  const unsubscribe = o.taps.subscribe(identity.userId, (event) => {
    deliver(event);
  });
  try {
    const submitted = await o.engine.submit(identity, {
      text: request.text,
      threadId,
      agent: agentSegment === undefined ? undefined : pathParameter(agentSegment),
      clientMessageId: `ag-ui:${request.runId}`,
    });
    if (!submitted.ok) throw new HttpError(submitted.code, submitted.message);
    const translator = new AgUiTranslator({
      client: { threadId: request.threadId, runId: request.runId },
      agentwire: { threadId: submitted.threadId, runId: submitted.runId },
    });
    const stream = new AgUiRunStream(o, res, identity, submitted.runId, translator);
    stream.begin();
    // A retry of a request whose run already exists: what it already did comes from the store.
    const replayedUpTo = submitted.duplicate ? await stream.replay(submitted.threadId) : 0;
    for (const event of early) if (event.seq > replayedUpTo) stream.feed(event);
    deliver = (event) => {
      if (event.seq > replayedUpTo) stream.feed(event);
    };
    await stream.done;
  } finally {
    unsubscribe();
  }
}

/** One response: agentwire events of one run in, SSE-framed AG-UI events out. */
class AgUiRunStream {
  readonly done: Promise<void>;
  readonly #o: AgUiRouteOptions;
  readonly #res: ServerResponse;
  readonly #identity: VerifiedIdentity;
  readonly #runId: string;
  readonly #translator: AgUiTranslator;
  readonly #sse: SseWriter;
  #resolve!: () => void;

  constructor(o: AgUiRouteOptions, res: ServerResponse, identity: VerifiedIdentity, runId: string, translator: AgUiTranslator) {
    this.#o = o;
    this.#res = res;
    this.#identity = identity;
    this.#runId = runId;
    this.#translator = translator;
    this.#sse = new SseWriter(res, { keepAliveMs: o.keepAliveMs ?? 15_000, maxBufferedBytes: o.maxOutboundBytes });
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    res.once('close', () => {
      this.#onClose();
    });
  }

  begin(): void {
    this.#sse.open();
    this.#sse.send(this.#translator.start());
  }

  /** Sends the run's stored events; returns the last seq it covered. */
  async replay(threadId: string): Promise<number> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.#o.store.readThread(this.#identity.userId, threadId, afterSeq, REPLAY_PAGE);
      for (const event of page) this.feed(event);
      afterSeq = page.at(-1)?.seq ?? afterSeq;
      if (page.length < REPLAY_PAGE) return afterSeq;
    }
  }

  feed(event: StoredEvent): void {
    if (event.runId !== this.#runId) return;
    let translated;
    try {
      translated = this.#translator.translate(JSON.parse(event.frame) as AgentEvent);
    } catch (error) {
      this.#o.metrics.backgroundErrors.inc({ loop: 'ag_ui' });
      this.#o.logger.error('could not translate an event to AG-UI', { runId: this.#runId, seq: event.seq, error });
      return;
    }
    if (!this.#sse.send(translated)) {
      this.#o.logger.warn('AG-UI client is not reading its stream; closing it', { runId: this.#runId });
      this.#res.destroy();
      return;
    }
    if (this.#translator.finished) {
      this.#sse.end();
      this.#resolve();
    }
  }

  #onClose(): void {
    this.#sse.stop();
    this.#resolve();
    if (this.#translator.finished) return;
    // The client went away mid-run: for AG-UI that is how a run is cancelled.
    this.#o.engine.cancel(this.#identity.userId, this.#runId).then(
      (outcome) => {
        if (!outcome.ok && outcome.code !== ErrorCode.NOT_FOUND) this.#o.logger.warn('could not cancel an AG-UI run', { runId: this.#runId, code: outcome.code });
      },
      (error: unknown) => {
        this.#o.metrics.backgroundErrors.inc({ loop: 'ag_ui' });
        this.#o.logger.error('cancelling an AG-UI run failed', { runId: this.#runId, error });
      },
    );
  }
}

async function authenticate(authenticator: Authenticator, req: IncomingMessage, url: URL): Promise<VerifiedIdentity> {
  try {
    return await authenticator.verify(extractToken(req.headers, url));
  } catch (error) {
    throw new HttpError('UNAUTHORIZED', errorMessage(error));
  }
}

/**
 * AG-UI thread ids are the client's. One that names an agentwire thread of this user continues
 * it; another user's thread is refused; anything else (the client's own id) starts a new thread.
 */
async function ownThread(store: EventStore, userId: string, threadId: string): Promise<string | undefined> {
  const thread = await store.getThread(threadId);
  if (!thread) return undefined;
  if (thread.userId !== userId) throw new HttpError(ErrorCode.FORBIDDEN, 'that thread belongs to another user');
  return thread.threadId;
}

