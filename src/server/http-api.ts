/**
 * The HTTP side of the server: health, readiness, metrics, thread history for clients that
 * could not recover, the demo sign-in, and the static chat page. Every error is JSON with a
 * code: `{ "error": { "code": "FORBIDDEN", "message": "…" } }`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { SignJWT } from 'jose';
import { errorMessage, InternalErrorCode, toAgentwireError } from '../errors/agentwire-error.js';
import { ErrorCode } from '../protocol/codes.js';
import { parseUserId } from '../context/ids.js';
import type { Authenticator } from '../transport/authenticator.js';
import { requestUrl } from '../transport/request-url.js';
import type { EventStore } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { readJsonBody } from './http-body.js';
import { ClientGoneError, HttpError } from './http-error.js';

export { HttpError } from './http-error.js';
export { readJsonBody, type BodyLimits } from './http-body.js';
import type { HttpRateGate } from './http-rate-limit.js';
import { verifyRequest } from './request-identity.js';

export interface HttpApiOptions {
  store: EventStore;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: Logger;
  /** false while shutting down, or when a dependency is down. */
  ready: () => Promise<boolean>;
  agents: () => { name: string; description: string }[];
  /** Demo sign-in: POST /api/dev-token, loopback only. Absent in production. */
  demo?: { secret: string; tokenTtlSec: number } | undefined;
  /** Bounds of every JSON body: nesting depth (shared with WebSocket frames) and time. */
  body: { maxJsonDepth: number; timeoutMs: number };
  /** Directory of the built chat page. */
  staticDir?: string | undefined;
  /** Shown by GET /api/info (for example which model the page is talking to). */
  info?: Record<string, unknown>;
  /** More endpoints (the AG-UI binding), matched after the built-in ones and before the page. */
  extraRoutes?: readonly HttpRoute[];
  /** Request rate of `/api/*` per user and per client address; absent, nothing is counted. */
  rateGate?: HttpRateGate;
}

const MAX_BODY_BYTES = 16 * 1024;
const MAX_PAGE = 1000;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray) => Promise<void> | void;

/** An endpoint: a handler that throws HttpError gets the JSON error answer with its status and code. */
export interface HttpRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  handler: Handler;
}

export function createHttpHandler(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/healthz$/, (_req, res) => json(res, 200, { status: 'ok' })],
    ['GET', /^\/readyz$/, async (_req, res) => {
      const ready = await options.ready();
      json(res, ready ? 200 : 503, { ready });
    }],
    ['GET', /^\/metrics$/, async (_req, res) => {
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      res.end(await options.metrics.registry.metrics());
    }],
    ['GET', /^\/api\/info$/, (_req, res) => json(res, 200, { agents: options.agents(), demo: Boolean(options.demo), ...options.info })],
    ['GET', /^\/api\/threads$/, async (req, res, url) => {
      const userId = await authenticate(options.authenticator, req, url);
      json(res, 200, { threads: await options.store.listThreads(userId, pageLimit(url, 100)) });
    }],
    ['GET', /^\/api\/threads\/([^/]+)\/events$/, async (req, res, url, match) => {
      const userId = await authenticate(options.authenticator, req, url);
      await threadEvents(options.store, userId, pathParameter(match[1]), url, res);
    }],
    ['POST', /^\/api\/dev-token$/, (req, res) => devToken(options, req, res)],
    ...(options.extraRoutes ?? []).map((r): [string, RegExp, Handler] => [r.method, r.pattern, r.handler]),
  ];
  return (req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      refuse(res, new HttpError(ErrorCode.INVALID_MESSAGE, 'malformed request target'));
      return;
    }
    route(routes, options, req, res, url).catch((error: unknown) => {
      if (error instanceof ClientGoneError) {
        clientGone(options, req, res, url);
        return;
      }
      if (error instanceof HttpError) {
        if (error.status === 408) timedOut(options, res, url);
        refuse(res, error);
        return;
      }
      unexpected(options, res, url, error);
    });
  };
}

function refuse(res: ServerResponse, error: HttpError): void {
  json(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/**
 * The HTTP boundary, where an unknown throw is normalised once: logged with its code and counted;
 * the client gets INTERNAL and nothing of the message, which may name server internals.
 */
function unexpected(options: HttpApiOptions, res: ServerResponse, url: URL, error: unknown): void {
  const { code } = toAgentwireError(error);
  options.metrics.backgroundErrors.inc({ loop: 'http' });
  options.logger.error('HTTP handler failed', { path: url.pathname, code, error });
  if (res.headersSent) res.destroy();
  else refuse(res, new HttpError(InternalErrorCode.INTERNAL, 'internal error'));
}

/** A client that hangs up mid-upload is not a server error: counted, logged at debug, never in background_errors. */
function clientGone(options: HttpApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): void {
  options.metrics.httpRequestsAborted.inc({ reason: 'client_closed' });
  options.logger.debug('the client hung up before its request body arrived', { path: url.pathname, method: req.method });
  res.destroy();
}

/** The body is still owed, so the connection cannot carry another request: it closes after the 408. */
function timedOut(options: HttpApiOptions, res: ServerResponse, url: URL): void {
  options.metrics.httpRequestsAborted.inc({ reason: 'timeout' });
  options.logger.info('a request body did not arrive in time', { path: url.pathname });
  res.setHeader('connection', 'close');
}

async function route(routes: [string, RegExp, Handler][], options: HttpApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  // The publish API (/api/runs) is service traffic with its own per-producer rate and size limits
  // (docs/remote-agents.md); counting it per address would throttle every worker behind one host.
  if (options.rateGate && url.pathname.startsWith('/api/') && !url.pathname.startsWith('/api/runs')) await admit(options, options.rateGate, req, url);
  // One path can have a route per method (PATCH and DELETE /api/threads/:id): 405 only when none fits.
  let pathMatched = false;
  for (const [method, pattern, handler] of routes) {
    const match = url.pathname.match(pattern);
    if (!match) continue;
    pathMatched = true;
    if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) continue;
    await handler(req, res, url, match);
    return;
  }
  if (pathMatched) throw new HttpError('METHOD_NOT_ALLOWED', `${req.method ?? ''} not allowed here`);
  if (url.pathname.startsWith('/api/')) throw new HttpError('NOT_FOUND', 'no such endpoint');
  if (options.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
    await serveStatic(options.staticDir, url.pathname, res);
    return;
  }
  throw new HttpError('NOT_FOUND', 'not found');
}

async function admit(options: HttpApiOptions, gate: HttpRateGate, req: IncomingMessage, url: URL): Promise<void> {
  const decision = await gate.admit(req, url);
  if (decision.ok) return;
  options.metrics.httpRateLimited.inc({ key: decision.key });
  options.logger.debug('refused an HTTP request: over its rate', { path: url.pathname, key: decision.key });
  throw new HttpError(ErrorCode.RATE_LIMITED, `too many requests per ${decision.key}; retry in ${decision.retryAfterSec} s`, {
    'retry-after': String(decision.retryAfterSec),
  });
}

/** A decoded path segment. A malformed escape (`%zz`) is the client's error, not a 500. */
export function pathParameter(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new HttpError('INVALID_MESSAGE', 'malformed percent-encoding in the path');
  }
}

export async function authenticate(authenticator: Authenticator, req: IncomingMessage, url: URL): Promise<string> {
  try {
    return (await verifyRequest(authenticator, req, url)).userId;
  } catch (error) {
    throw new HttpError('UNAUTHORIZED', errorMessage(error));
  }
}

async function threadEvents(store: EventStore, userId: string, threadId: string, url: URL, res: ServerResponse): Promise<void> {
  const thread = await store.getThread(threadId);
  if (!thread) throw new HttpError('NOT_FOUND', 'no such thread');
  if (thread.userId !== userId) throw new HttpError('FORBIDDEN', 'that thread belongs to another user');
  const afterSeq = Number(url.searchParams.get('afterSeq') ?? '0');
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new HttpError('INVALID_MESSAGE', 'afterSeq must be a non-negative integer');
  const limit = pageLimit(url, MAX_PAGE);
  const events = await store.readThread(userId, threadId, afterSeq, limit);
  // Frames are stored as JSON text: splice them in rather than parse and re-serialise.
  const body = `{"thread":${JSON.stringify(thread)},"epoch":${JSON.stringify(store.epoch)},"events":[${events.map((e) => e.frame).join(',')}],"hasMore":${events.length === limit}}`;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function pageLimit(url: URL, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) return max;
  const limit = Number(raw);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw new HttpError('INVALID_MESSAGE', `limit must be an integer from 1 to ${max}`);
  return limit;
}

async function devToken(options: HttpApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const demo = options.demo;
  if (!demo) throw new HttpError('NOT_FOUND', 'no such endpoint');
  if (!isLoopback(req.socket.remoteAddress)) throw new HttpError('FORBIDDEN', 'demo sign-in is available on loopback only');
  // A reverse proxy on the same host connects from loopback too: a forwarded request came from
  // somewhere else, whatever the socket says, and may be anyone on the proxy's network.
  const forwarded = FORWARDING_HEADERS.find((name) => req.headers[name] !== undefined);
  if (forwarded !== undefined) throw new HttpError('FORBIDDEN', `demo sign-in refuses forwarded requests (${forwarded}); it is for a browser on this machine`);
  const body = await readJsonBody(req, { maxBytes: MAX_BODY_BYTES, maxJsonDepth: options.body.maxJsonDepth, timeoutMs: options.body.timeoutMs });
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  let userId: string;
  try {
    userId = parseUserId(typeof name === 'string' ? name.trim() : name);
  } catch (error) {
    throw new HttpError('INVALID_MESSAGE', errorMessage(error));
  }
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${demo.tokenTtlSec}s`)
    .sign(new TextEncoder().encode(demo.secret));
  json(res, 200, { token, userId, expiresInSec: demo.tokenTtlSec });
}

/** Headers a proxy adds (standard, de facto, and those of common CDNs and balancers), lower-case. */
const FORWARDING_HEADERS = [
  'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-server',
  'x-forwarded-prefix', 'x-real-ip', 'x-client-ip', 'x-cluster-client-ip', 'true-client-ip', 'cf-connecting-ip',
  'fastly-client-ip', 'x-original-forwarded-for', 'via',
];

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const base = resolve(root);
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    throw new HttpError('INVALID_MESSAGE', 'bad path');
  }
  let file = join(base, relative);
  if (file !== base && !file.startsWith(base + sep)) throw new HttpError('NOT_FOUND', 'not found');
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    // A single-page app: unknown paths without an extension get the page itself.
    if (extname(relative) !== '') throw new HttpError('NOT_FOUND', 'not found');
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new HttpError('NOT_FOUND', 'not found');
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file).pipe(res);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
