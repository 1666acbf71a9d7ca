/**
 * ConnectionManager: accepts WebSocket upgrades on /ws, authenticates them, enforces the
 * per-user connection cap and the per-address allowance of failed handshakes, keeps connections alive with pings, and opens each
 * connection's event stream at the right seq (head, or the client's resume point).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../protocol/codes.js';
import type { ConnectionLimits } from '../protocol/messages.js';
import { clientMessageSchema } from '../protocol/schema.js';
import { errorMessage, toAgentwireError } from '../errors/agentwire-error.js';
import type { VerifiedIdentity } from '../context/verified-identity.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import type { EventStore } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { extractToken, type Authenticator } from './authenticator.js';
import { ClientConnection, type ConnectionDeps } from './client-connection.js';
import { requestUrl } from './request-url.js';
import { closeReason } from './close-reason.js';
import { ClientAddressResolver } from './client-address.js';
import { KeyedRateLimiter } from './keyed-rate-limiter.js';
import { closeCodeLabel } from '../metrics/close-code-label.js';
import type { TransportLimits } from './transport-limits.js';
import type { StreamStart, WebSocketNotifier } from './websocket-notifier.js';

export const SUBPROTOCOL = 'agentwire.v1';

export interface ConnectionManagerOptions {
  authenticator: Authenticator;
  engine: ExecutionEngine;
  notifier: WebSocketNotifier;
  store: EventStore;
  metrics: Metrics;
  logger: Logger;
  limits: TransportLimits;
  /** Resolves a request's client address for the per-address handshake limit (default: the socket's peer). */
  clientAddress?: ClientAddressResolver;
}

interface ResumePoint {
  lastSeq: number;
  epoch: string;
}

export class ConnectionManager {
  readonly #o: ConnectionManagerOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<string, ClientConnection>();
  readonly #deps: ConnectionDeps;
  readonly #addressLimit: KeyedRateLimiter;
  readonly #clientAddress: ClientAddressResolver;
  readonly #pinger: NodeJS.Timeout;
  #closing = false;

  constructor(options: ConnectionManagerOptions) {
    this.#o = options;
    this.#clientAddress = options.clientAddress ?? new ClientAddressResolver();
    this.#addressLimit = new KeyedRateLimiter({ rate: options.limits.connectionsPerSecondPerIp });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.limits.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: selectProtocol,
    });
    this.#deps = {
      engine: options.engine,
      notifier: options.notifier,
      metrics: options.metrics,
      logger: options.logger,
      limits: options.limits,
      schema: clientMessageSchema(options.limits.maxTextChars),
    };
    this.#pinger = setInterval(() => {
      this.#pingAll();
    }, options.limits.heartbeatMs).unref();
  }

  get size(): number {
    return this.#connections.size;
  }

  /** The limits announced to every client in connection_established. */
  announcedLimits(): ConnectionLimits {
    const { limits, engine } = this.#o;
    return {
      maxFrameBytes: limits.maxFrameBytes,
      messagesPerSecond: limits.messagesPerSecond,
      connectionsPerUser: limits.connectionsPerUser,
      concurrentRunsPerUser: engine.limits.maxRunsPerUser,
      queuedRunsPerUser: engine.limits.maxQueuedPerUser,
      outboundBufferBytes: limits.maxOutboundBytes,
    };
  }

  /** Called by the HTTP server for `GET /ws` upgrades. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    const url = requestUrl(request.url);
    if (!url) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.on('error', () => socket.destroy());
    // The token is verified before the upgrade completes, so that only a failed or missing one
    // is charged to the address: behind a proxy (or a NAT) many users share one, and a restart
    // makes them all reconnect at once; their valid tokens are capped per user instead. Until
    // then the client cannot send frames (it waits for the 101), so none can be lost.
    const address = this.#clientAddress.resolve(request);
    this.#o.authenticator.verify(extractToken(request.headers, url)).then(
      (identity) => {
        this.#upgrade(request, socket, head, (ws) => this.#accept(ws, identity, parseResumePoint(url)));
      },
      (error: unknown) => {
        this.#refuse(request, socket, head, address, error);
      },
    ).catch((error: unknown) => {
      this.#o.metrics.backgroundErrors.inc({ loop: 'accept' });
      this.#o.logger.error('answering an upgrade failed', { error });
      socket.destroy();
    });
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => Promise<void>): void {
    // The peer may have gone while its token was verified; ws would write to a dead socket.
    if (socket.destroyed) return;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      // The boundary of opening a connection: an unknown throw is normalised once, its code logged.
      then(ws).catch((error: unknown) => {
        const { code } = toAgentwireError(error);
        this.#o.metrics.backgroundErrors.inc({ loop: 'accept' });
        this.#o.logger.error('opening a connection failed', { code, error });
        ws.close(CloseCode.INTERNAL_ERROR, 'internal error');
      });
    });
  }

  /**
   * A missing or failed token costs its address one handshake of its allowance. Within it the
   * upgrade completes and closes with 4401 (a browser cannot see an HTTP 401); past it, HTTP 429
   * before any WebSocket work, so a guessing burst is cut short.
   */
  #refuse(request: IncomingMessage, socket: Duplex, head: Buffer, address: string, error: unknown): void {
    const { metrics, logger } = this.#o;
    metrics.authFailures.inc();
    const decision = this.#addressLimit.take(address);
    if (!decision.ok) {
      metrics.handshakesRateLimited.inc();
      logger.debug('refused a handshake: address over its failed-handshake allowance', { address });
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${decision.retryAfterSec}\r\n\r\n`);
      return;
    }
    logger.info('refused a connection', { reason: errorMessage(error), address });
    this.#upgrade(request, socket, head, (ws) => {
      // The reason says what to fix (no exp, an invisible character in sub, expired…).
      ws.close(CloseCode.UNAUTHORIZED, closeReason(`unauthorized: ${errorMessage(error)}`));
      return Promise.resolve();
    });
  }

  async #accept(ws: WebSocket, identity: VerifiedIdentity, resume: ResumePoint | undefined): Promise<void> {
    const { notifier, store, metrics, limits } = this.#o;
    if (ws.readyState !== ws.OPEN) return;
    if (notifier.connectionsOf(identity.userId) >= limits.connectionsPerUser) {
      ws.close(CloseCode.RATE_LIMITED, `at most ${limits.connectionsPerUser} connections per user`);
      return;
    }
    const connection = new ClientConnection(ws, identity, `conn_${randomBytes(9).toString('base64url')}`, this.#deps);
    // Registers the frame handler before any await: frames sent right after the 101 are rate
    // limited like any, and held by the connection until connection_established is out.
    this.#track(connection);
    // Registered before the head is read, so nothing published in between is missed.
    notifier.register(connection);
    const head = await store.lastSeq(identity.userId);
    const start = await this.#streamStart(identity.userId, head, resume);
    if (!isOpen(ws)) return;
    connection.sendControl({
      type: 'connection_established',
      connectionId: connection.connectionId,
      userId: identity.userId,
      epoch: store.epoch,
      lastSeq: head,
      heartbeatMs: limits.heartbeatMs,
      limits: this.announcedLimits(),
    });
    metrics.connectionsOpened.inc();
    notifier.start(connection.connectionId, start);
    connection.ready();
  }

  async #streamStart(userId: string, head: number, resume: ResumePoint | undefined): Promise<StreamStart> {
    if (!resume) return { kind: 'head', head };
    const { store } = this.#o;
    if (resume.epoch !== store.epoch || resume.lastSeq > head) return { kind: 'unrecoverable', lastSeq: resume.lastSeq, head };
    if ((await store.firstSeq(userId)) > resume.lastSeq + 1 && resume.lastSeq < head) return { kind: 'unrecoverable', lastSeq: resume.lastSeq, head };
    return { kind: 'resume', lastSeq: resume.lastSeq, recovered: true };
  }

  #track(connection: ClientConnection): void {
    const { ws, metrics, notifier, logger, limits } = { ws: connection.socket, ...this.#o };
    this.#connections.set(connection.connectionId, connection);
    metrics.connections.inc();
    let expiry: NodeJS.Timeout | undefined;
    if (connection.identity.expiresAt !== undefined) {
      const ms = Math.max(0, connection.identity.expiresAt - Date.now() + limits.tokenExpiryGraceMs);
      // setTimeout's limit is ~24.8 days; longer-lived tokens are re-checked by then anyway.
      expiry = setTimeout(() => {
        connection.close(CloseCode.UNAUTHORIZED, 'token expired');
      }, Math.min(ms, 2 ** 31 - 1)).unref();
    }
    ws.on('message', (data, isBinary) => {
      connection.onFrame(data, isBinary);
    });
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', (error) => {
      logger.debug('socket error', { connectionId: connection.connectionId, error });
    });
    ws.once('close', (code) => {
      clearTimeout(expiry);
      this.#connections.delete(connection.connectionId);
      notifier.unregister(connection.connectionId);
      metrics.connections.dec();
      metrics.connectionsClosed.inc({ code: closeCodeLabel(code) });
    });
  }

  #pingAll(): void {
    for (const connection of this.#connections.values()) {
      if (!connection.alive) {
        // No pong since the last ping: the peer is gone without a FIN. Drop it now.
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  /**
   * Closes every open connection with `code`, and keeps accepting new ones: for a change that
   * invalidates every stream at once (the store's epoch changed). Returns how many it closed.
   */
  dropAll(code: number, reason: string): number {
    const open = [...this.#connections.values()];
    for (const connection of open) connection.close(code, reason);
    return open.length;
  }

  /** Closes every connection with 1001 (going away) so clients reconnect elsewhere. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#pinger);
    const closed = [...this.#connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          connection.socket.once('close', () => resolve());
          connection.close(CloseCode.GOING_AWAY, 'server shutting down');
          setTimeout(() => {
            connection.socket.terminate();
            resolve();
          }, 2000).unref();
        }),
    );
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

/** Read through a function: the socket can close while an await is pending. */
function isOpen(ws: WebSocket): boolean {
  return ws.readyState === ws.OPEN;
}

function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}

function parseResumePoint(url: URL): ResumePoint | undefined {
  const lastSeq = url.searchParams.get('lastSeq');
  const epoch = url.searchParams.get('epoch');
  if (lastSeq === null || epoch === null) return undefined;
  const seq = Number(lastSeq);
  if (!Number.isSafeInteger(seq) || seq < 0 || epoch.length === 0 || epoch.length > 128) return { lastSeq: 0, epoch: '' };
  return { lastSeq: seq, epoch };
}
