/**
 * One authenticated WebSocket connection: parses and answers the client's frames, and hands
 * agent events to WebSocketNotifier (which alone writes them). Control frames (run_accepted,
 * resumed, error, pong) are written here.
 */
import type { WebSocket, RawData } from 'ws';
import { CloseCode, ErrorCode } from '../protocol/codes.js';
import type { ClientMessage, ServerControlMessage } from '../protocol/messages.js';
import { parseClientMessage, type clientMessageSchema } from '../protocol/schema.js';
import { errorMessage, toAgentwireError } from '../errors/agentwire-error.js';
import type { VerifiedIdentity } from '../context/verified-identity.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { TokenBucket } from './rate-limiter.js';
import type { TransportLimits } from './transport-limits.js';
import type { NotifiedConnection, WebSocketNotifier } from './websocket-notifier.js';

export interface ConnectionDeps {
  engine: ExecutionEngine;
  notifier: WebSocketNotifier;
  metrics: Metrics;
  logger: Logger;
  limits: TransportLimits;
  schema: ReturnType<typeof clientMessageSchema>;
}

export class ClientConnection implements NotifiedConnection {
  readonly userId: string;
  readonly #deps: ConnectionDeps;
  readonly #bucket: TokenBucket;
  readonly #bytes: TokenBucket;
  #limitedInARow = 0;
  /** Frames that arrived before connection_established went out; handled right after. */
  #early: RawData[] | undefined = [];
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly identity: VerifiedIdentity,
    readonly connectionId: string,
    deps: ConnectionDeps,
  ) {
    this.userId = identity.userId;
    this.#deps = deps;
    this.#bucket = new TokenBucket(deps.limits.messagesPerSecond, deps.limits.messageBurst);
    const bytesPerSecond = deps.limits.inboundBytesPerSecond;
    this.#bytes = new TokenBucket(bytesPerSecond, Math.max(2 * bytesPerSecond, deps.limits.maxFrameBytes));
  }

  /** connection_established is out: process what arrived early, then everything as it comes. */
  ready(): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const data of early) this.#handleText(data);
  }

  onFrame(data: RawData, isBinary: boolean): void {
    if (!this.#admit(frameBytes(data))) return;
    if (isBinary) {
      this.#refuse(ErrorCode.INVALID_MESSAGE, 'binary frames are not accepted; send JSON text frames');
      return;
    }
    if (this.#early) this.#early.push(data);
    else this.#handleText(data);
  }

  sendControl(message: ServerControlMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  closeSlowConsumer(bufferedBytes: number): void {
    this.#deps.logger.warn('closing a slow consumer', { connectionId: this.connectionId, userId: this.userId, bufferedBytes });
    this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: resume from your last seq');
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  #admit(bytes: number): boolean {
    const withinCount = this.#bucket.take();
    // A dropped message spends no byte budget.
    if (withinCount && this.#bytes.take(bytes)) {
      this.#limitedInARow = 0;
      return true;
    }
    this.#limitedInARow += 1;
    if (this.#limitedInARow >= this.#deps.limits.maxRateLimitedInARow) {
      this.close(CloseCode.RATE_LIMITED, 'message rate exceeded');
    } else if (!withinCount) {
      this.#refuse(ErrorCode.RATE_LIMITED, `more than ${this.#deps.limits.messagesPerSecond} messages per second; message dropped`);
    } else {
      this.#refuse(ErrorCode.RATE_LIMITED, `more than ${this.#deps.limits.inboundBytesPerSecond} bytes per second; message dropped`);
    }
    return false;
  }

  #handleText(data: RawData): void {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientMessage(text, this.#deps.schema, this.#deps.limits.maxJsonDepth);
    if (!parsed.ok) {
      this.#refuse(parsed.code, parsed.message, parsed.clientMessageId === undefined ? {} : { clientMessageId: parsed.clientMessageId });
      return;
    }
    // The WebSocket boundary: an unknown throw is normalised once, logged with its code and
    // counted; the client gets UNAVAILABLE and may retry.
    this.#dispatch(parsed.message).catch((error: unknown) => {
      const { code } = toAgentwireError(error);
      this.#deps.metrics.backgroundErrors.inc({ loop: 'client_message' });
      this.#deps.logger.error('handling a client message failed', { connectionId: this.connectionId, type: parsed.message.type, code, error });
      this.#refuse(ErrorCode.UNAVAILABLE, `the server could not handle ${parsed.message.type}: ${errorMessage(error)}`, echo(parsed.message));
    });
  }

  async #dispatch(message: ClientMessage): Promise<void> {
    const { engine, notifier } = this.#deps;
    switch (message.type) {
      case 'user_message': {
        // A token accepted within the clock tolerance may already be past its exp: no new work.
        if (this.#tokenExpired()) {
          this.close(CloseCode.UNAUTHORIZED, 'token expired');
          return;
        }
        const result = await engine.submit(this.identity, message);
        if (result.ok) this.sendControl({ type: 'run_accepted', clientMessageId: message.clientMessageId, runId: result.runId, threadId: result.threadId });
        else this.#refuse(result.code, result.message, { clientMessageId: message.clientMessageId });
        return;
      }
      case 'resume':
        // Queued behind the resume this connection is replaying, if any: one at a time, so no
        // two of them replay the same range.
        if (!notifier.resume(this.connectionId, message.lastSeq, message.epoch)) {
          this.#refuse(ErrorCode.RATE_LIMITED, `at most ${this.#deps.limits.maxPendingResumes} resumes may wait behind the one being replayed; resume dropped`);
        }
        return;
      case 'ack':
        if (!notifier.ack(this.connectionId, message.seq)) this.#refuse(ErrorCode.INVALID_MESSAGE, `ack ${message.seq} is beyond the last seq sent on this connection`);
        return;
      case 'cancel': {
        const result = await engine.cancel(this.userId, message.runId);
        if (!result.ok) this.#refuse(result.code, result.message, { runId: message.runId });
        return;
      }
      case 'ping':
        this.sendControl({ type: 'pong' });
        return;
    }
  }

  #tokenExpired(): boolean {
    const expiresAt = this.identity.expiresAt;
    return expiresAt !== undefined && Date.now() > expiresAt + this.#deps.limits.tokenExpiryGraceMs;
  }

  #refuse(code: ErrorCode, message: string, extra: { clientMessageId?: string; runId?: string } = {}): void {
    this.#deps.metrics.inboundErrors.inc({ code });
    this.sendControl({ type: 'error', code, message, ...extra });
  }
}

function echo(message: ClientMessage): { clientMessageId?: string; runId?: string } {
  if (message.type === 'user_message') return { clientMessageId: message.clientMessageId };
  if (message.type === 'cancel') return { runId: message.runId };
  return {};
}

function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
