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
import { errorMessage } from '../errors/agentwire-error.js';
import { parseUserId } from '../context/ids.js';
import { extractToken, type Authenticator } from '../transport/authenticator.js';
import { requestUrl } from '../transport/request-url.js';
import type { EventStore } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from './logger.js';

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
  /** Directory of the built chat page. */
  staticDir?: string | undefined;
  /** Shown by GET /api/info (for example which model the page is talking to). */
  info?: Record<string, unknown>;
  /** More endpoints (the AG-UI binding), matched after the built-in ones and before the page. */
  extraRoutes?: readonly HttpRoute[];
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

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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
    ['POST', /^\/api\/dev-token$/, (req, res) => devToken(options.demo, req, res)],
    ...(options.extraRoutes ?? []).map((r): [string, RegExp, Handler] => [r.method, r.pattern, r.handler]),
  ];
  return (req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      json(res, 400, { error: { code: 'INVALID_MESSAGE', message: 'malformed request target' } });
      return;
    }
    route(routes, options, req, res, url).catch((error: unknown) => {
      if (error instanceof HttpError) {
        json(res, error.status, { error: { code: error.code, message: error.message } });
        return;
      }
      options.metrics.backgroundErrors.inc({ loop: 'http' });
      options.logger.error('HTTP handler failed', { path: url.pathname, error });
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  };
}

async function route(routes: [string, RegExp, Handler][], options: HttpApiOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
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
  if (pathMatched) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method ?? ''} not allowed here`);
  if (url.pathname.startsWith('/api/')) throw new HttpError(404, 'NOT_FOUND', 'no such endpoint');
  if (options.staticDir && (req.method === 'GET' || req.method === 'HEAD')) {
    await serveStatic(options.staticDir, url.pathname, res);
    return;
  }
  throw new HttpError(404, 'NOT_FOUND', 'not found');
}

/** A decoded path segment. A malformed escape (`%zz`) is the client's error, not a 500. */
export function pathParameter(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new HttpError(400, 'INVALID_MESSAGE', 'malformed percent-encoding in the path');
  }
}

export async function authenticate(authenticator: Authenticator, req: IncomingMessage, url: URL): Promise<string> {
  try {
    return (await authenticator.verify(extractToken(req.headers, url))).userId;
  } catch (error) {
    throw new HttpError(401, 'UNAUTHORIZED', errorMessage(error));
  }
}

async function threadEvents(store: EventStore, userId: string, threadId: string, url: URL, res: ServerResponse): Promise<void> {
  const thread = await store.getThread(threadId);
  if (!thread) throw new HttpError(404, 'NOT_FOUND', 'no such thread');
  if (thread.userId !== userId) throw new HttpError(403, 'FORBIDDEN', 'that thread belongs to another user');
  const afterSeq = Number(url.searchParams.get('afterSeq') ?? '0');
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new HttpError(400, 'INVALID_MESSAGE', 'afterSeq must be a non-negative integer');
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
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) throw new HttpError(400, 'INVALID_MESSAGE', `limit must be an integer from 1 to ${max}`);
  return limit;
}

async function devToken(demo: HttpApiOptions['demo'], req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!demo) throw new HttpError(404, 'NOT_FOUND', 'no such endpoint');
  if (!isLoopback(req.socket.remoteAddress)) throw new HttpError(403, 'FORBIDDEN', 'demo sign-in is available on loopback only');
  const body = await readJsonBody(req);
  const name = typeof body === 'object' && body !== null ? (body as { name?: unknown }).name : undefined;
  let userId: string;
  try {
    userId = parseUserId(typeof name === 'string' ? name.trim() : name);
  } catch (error) {
    throw new HttpError(400, 'INVALID_MESSAGE', errorMessage(error));
  }
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${demo.tokenTtlSec}s`)
    .sign(new TextEncoder().encode(demo.secret));
  json(res, 200, { token, userId, expiresInSec: demo.tokenTtlSec });
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** Reads a JSON request body of at most maxBytes: 413 past it, 400 when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, 'TOO_LARGE', `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'INVALID_MESSAGE', 'request body is not valid JSON');
  }
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
    throw new HttpError(400, 'INVALID_MESSAGE', 'bad path');
  }
  let file = join(base, relative);
  if (file !== base && !file.startsWith(base + sep)) throw new HttpError(404, 'NOT_FOUND', 'not found');
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    // A single-page app: unknown paths without an extension get the page itself.
    if (extname(relative) !== '') throw new HttpError(404, 'NOT_FOUND', 'not found');
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new HttpError(404, 'NOT_FOUND', 'not found');
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file).pipe(res);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
