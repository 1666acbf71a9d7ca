/**
 * The HTTP API under fire, generated with fast-check: random methods, paths, query strings,
 * Authorization headers and bodies always get a 4xx JSON error with a documented code (or a
 * legitimate 2xx), never a 500 and never a crash; malformed request targets are refused; the
 * static file server never serves a byte from outside its directory; and a bystander user on a
 * WebSocket notices nothing.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken, unsignedToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { Bystander } from './support/bystander.js';

const SECRET = 'TOP-SECRET-9f3c1d: outside the static directory';
const PAGE = '<!doctype html><title>agentwire</title>the page';
const MAX_BODY = 16 * 1024;
/** Every code an HTTP error of this server can carry. */
const HTTP_CODES = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_MESSAGE', 'METHOD_NOT_ALLOWED', 'TOO_LARGE', 'UNKNOWN_AGENT', 'TOO_MANY_RUNS'];

let server: AgentwireServer;
let bystander: Bystander;
let root: string;
let aliceToken: string;
let aliceThread: string;
let aliceEvents: number;

beforeAll(async () => {
  // root/static is served; root/secret.txt and root/static-secret/secret.txt must never be.
  root = await mkdtemp(join(tmpdir(), 'agentwire-http-attack-'));
  await mkdir(join(root, 'static', 'assets'), { recursive: true });
  await mkdir(join(root, 'static-secret'));
  await writeFile(join(root, 'static', 'index.html'), PAGE);
  await writeFile(join(root, 'static', 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(root, 'secret.txt'), SECRET);
  await writeFile(join(root, 'static-secret', 'secret.txt'), SECRET);
  server = await startTestServer({ demo: true, staticDir: join(root, 'static'), transport: { connectionsPerSecondPerIp: 10_000 }, httpRate: { requestsPerSecondPerUser: 1_000_000, requestsPerSecondPerAddress: 1_000_000 } });
  bystander = await Bystander.start(server, 'http-bystander');
  aliceToken = await signToken('http-attack-alice');
  const alice = await TestClient.open(server.wsUrl, aliceToken);
  const { runId, threadId } = await alice.submit(streamInput(5), { agent: 'stream' });
  await alice.terminalOf(runId);
  aliceThread = threadId;
  aliceEvents = alice.events().length;
  await alice.close();
});
afterAll(async () => {
  await bystander.stop();
  await server.close();
  await rm(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

/** One request over a fresh connection, path sent exactly as given (fetch would normalise it). */
function request(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Node sends DELETE and OPTIONS bodies without a length unless told: say it, always.
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => {
      req.destroy(new Error(`no answer in 5 s to ${method} ${path}`));
    });
    req.end(options.body);
  });
}

/** A 2xx, or a 4xx whose body is the documented JSON error; never a 5xx, never the secret. */
function expectWellFormed(reply: Reply, method: string): void {
  expect(reply.body).not.toContain(SECRET);
  expect(reply.status).toBeGreaterThanOrEqual(200);
  expect(reply.status).toBeLessThan(500);
  if (reply.status < 400 || method === 'HEAD') return;
  expect(reply.contentType).toContain('application/json');
  const body = JSON.parse(reply.body) as { error?: { code?: unknown; message?: unknown } };
  expect(HTTP_CODES).toContain(body.error?.code);
  expect(typeof body.error?.message).toBe('string');
}

/** Raw bytes in, the status line out: for request targets no HTTP client would send. */
function rawStatusLine(text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    const done = (): void => {
      socket.destroy();
      resolve(received.split('\r\n')[0] ?? '');
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.setTimeout(3_000, done);
    socket.write(text);
  });
}

const segment = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', '%00', '%ff', '%', '%zz', '%c0%ae%c0%ae', '%2f', '%5c', '..%2f', '..%5c', '....', 'etc', 'passwd', 'secret.txt', 'static-secret', 'index.html', 'assets', 'app.js', 'events', 'threads', 'api', '~', ''),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/),
);
const pathArb = fc.oneof(
  segment.map((id) => `/api/threads/${id}/events`),
  fc.tuple(segment, segment).map(([a, b]) => `/api/ag-ui/${a}${b}`),
  fc
  .tuple(fc.constantFrom('/', '/api/', '/api/threads/', '/api/threads', '/healthz', '/readyz', '/metrics', '/api/info', '/api/dev-token', '/api/ag-ui', '/assets/', '//', '/ws'), fc.array(segment, { maxLength: 5 }))
  .map(([prefix, segments]) => prefix + segments.join('/')),
);
const queryValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '1e3', '0x10', 'NaN', 'Infinity', '9007199254740993', '1.5', '%zz', '%00', '+1', '%201', '%5B%5D', '__proto__', '1000', '1001'),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/),
);
const queryArb = fc.array(fc.tuple(fc.constantFrom('afterSeq', 'limit', 'access_token', '__proto__', 'constructor', 'x'), queryValue), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
const authArb = fc.oneof(
  fc.constant(undefined),
  fc.constant('alice'),
  fc.constantFrom('Bearer', 'Bearer ', 'Bearer garbage', 'Basic YWxpY2U6c2VjcmV0', 'bearer a.b.c', `Bearer ${unsignedToken('http-attack-alice')}`, 'Bearer eyJhbGciOiJub25lIn0.e30.'),
  fc.stringMatching(/^[\x20-\x7e]{0,80}$/),
);
const bodyArb = fc.oneof(fc.constant(undefined), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 200 }), fc.constant('{"__proto__":{"name":"admin","polluted":true}}'));

describe('HTTP requests of any shape', () => {
  it('get a 2xx or a documented 4xx JSON error, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), pathArb, queryArb, authArb, bodyArb, async (method, path, query, auth, body) => {
        const headers: Record<string, string> = {};
        if (auth !== undefined) headers.authorization = auth === 'alice' ? `Bearer ${aliceToken}` : auth;
        const reply = await request(method, path + query, { headers, ...(body === undefined || method === 'GET' || method === 'HEAD' ? {} : { body }) });
        expectWellFormed(reply, method);
      }),
      { numRuns: 250 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await bystander.completesMore();
  });

  it('path parameters that are not valid percent-encoding: 400 or 404, never a 500', async () => {
    const bad = fc.oneof(
      fc.constantFrom('%', '%zz', '%E0%A4%A', '%c0%ae', '%ff', '%ED%A0%80', 'a%', '%%', '%2'),
      // What follows a bare '%' must not make it a valid escape ('%' + '00' is NUL, decodable).
      fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/), fc.constantFrom('%', '%g0', '%ff%fe', '%C0'), fc.stringMatching(/^([g-zG-Z_-][A-Za-z0-9_-]{0,7})?$/)).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(bad, async (id) => {
        const headers = { authorization: `Bearer ${aliceToken}` };
        for (const [method, path] of [['GET', `/api/threads/${id}/events`], ['POST', `/api/ag-ui/${id}`], ['GET', `/${id}`], ['GET', `/assets/${id}.js`]] as const) {
          const reply = await request(method, path, { headers, ...(method === 'POST' ? { body: '{}' } : {}) });
          expectWellFormed(reply, method);
          expect([400, 404]).toContain(reply.status);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('malformed request targets get a 4xx, and the server stays up', async () => {
    const target = fc.oneof(
      fc.constantFrom('//[', 'http://[/x', 'http://[::1/', 'http://%zz/', 'http://1.2.3.4.5/', 'http://:99999/', 'http://[1::1::1]/', 'https://xn--/', '//[/ws', 'http://[/ws', '*', '/%', '/%zz'),
      fc.tuple(fc.constantFrom('http://', 'https://', '//', 'ws://', 'x://'), fc.stringMatching(/^[A-Za-z0-9[\]%:@.!$&'()*+,;=-]{0,16}$/), fc.constantFrom('', '/', '/ws', '/healthz', '/api/threads')).map((parts) => parts.join('')),
    );
    await fc.assert(
      fc.asyncProperty(target, fc.boolean(), async (path, upgrade) => {
        const headers = upgrade ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' : 'Connection: close\r\n';
        const status = await rawStatusLine(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`);
        // 101 only where the target names /ws (the connection then closes with 4401: no token).
        expect(status).toMatch(upgrade ? /^HTTP\/1\.1 (101|4\d\d) / : /^HTTP\/1\.1 [24]\d\d /);
      }),
      { numRuns: 150 },
    );
    expect((await request('GET', '/healthz')).status).toBe(200);
    await bystander.completesMore();
  });

  it('afterSeq and limit: garbage is a 400 INVALID_MESSAGE; anything accepted is honoured', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(queryValue, { nil: undefined }), fc.option(queryValue, { nil: undefined }), async (afterSeq, limit) => {
        const query = new URLSearchParams();
        if (afterSeq !== undefined) query.set('afterSeq', afterSeq);
        if (limit !== undefined) query.set('limit', limit);
        const reply = await request('GET', `/api/threads/${aliceThread}/events?${query.toString()}`, { headers: { authorization: `Bearer ${aliceToken}` } });
        expectWellFormed(reply, 'GET');
        const after = Number(query.get('afterSeq') ?? '0');
        const max = query.get('limit') === null ? 1000 : Number(query.get('limit'));
        const valid = Number.isSafeInteger(after) && after >= 0 && Number.isSafeInteger(max) && max >= 1 && max <= 1000;
        expect(reply.status).toBe(valid ? 200 : 400);
        if (!valid) return;
        const { events } = JSON.parse(reply.body) as { events: { seq: number; userId: string }[] };
        expect(events.every((e) => e.seq > after && e.userId === 'http-attack-alice')).toBe(true);
        expect(events.length).toBe(Math.max(0, Math.min(max, aliceEvents - after)));
      }),
      { numRuns: 200 },
    );
  });

  it('any Authorization header that is not a valid token gets 401 UNAUTHORIZED', async () => {
    const header = fc.oneof(
      fc.stringMatching(/^[\x20-\x7e]{0,200}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/).map((s) => `Bearer ${s}.${s}.${s}`),
      fc.constantFrom(`Bearer ${unsignedToken('http-attack-alice')}`, `Bearer ${aliceToken.slice(0, -2)}`, `Bearer ${aliceToken}x`, `Basic ${aliceToken}`, `Bearer  ${aliceToken.split('.').slice(0, 2).join('.')}.`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const reply = await request('GET', '/api/threads', { headers: { authorization } });
        expectWellFormed(reply, 'GET');
        expect(reply.status).toBe(401);
        expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }),
      { numRuns: 200 },
    );
  });
});

describe('POST /api/dev-token', () => {
  it('issues a token for a usable name and a 400 INVALID_MESSAGE for anything else', async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 2 }),
      fc.record({ name: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('null', 'undefined', 'anonymous', 'default', ' alice ', 'a b', '__proto__', 'x'.repeat(129))) }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 50 }),
      fc.constant('{"__proto__":{"name":"admin"}}'),
      fc.constant('{"constructor":{"prototype":{"name":"admin"}}}'),
    );
    let issued = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const reply = await request('POST', '/api/dev-token', { body: text, headers: { 'content-type': 'application/json' } });
        expectWellFormed(reply, 'POST');
        let name: unknown;
        try {
          const parsed = JSON.parse(text) as unknown;
          name = typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'name') ? (parsed as { name: unknown }).name : undefined;
        } catch {
          name = undefined;
        }
        if (reply.status === 200) {
          // Only a string name is ever accepted, and the token names exactly that user.
          const { token, userId } = JSON.parse(reply.body) as { token: string; userId: string };
          expect(typeof name).toBe('string');
          expect(userId).toBe((name as string).trim());
          expect(decodeJwt(token).sub).toBe(userId);
          issued += 1;
        } else {
          expect(reply.status).toBe(400);
          expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'INVALID_MESSAGE' } });
        }
      }),
      { numRuns: 200 },
    );
    expect(issued).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body over 16 KiB with 413 TOO_LARGE, and takes one of exactly 16 KiB', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BODY + 1, max: 256 * 1024 }), async (size) => {
        const reply = await request('POST', '/api/dev-token', { body: Buffer.alloc(size, 0x20) });
        expectWellFormed(reply, 'POST');
        expect(reply.status).toBe(413);
        expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'TOO_LARGE' } });
      }),
      { numRuns: 30 },
    );
    const exact = JSON.stringify({ name: 'http-big', pad: '' });
    const padded = exact.replace('"pad":""', `"pad":"${' '.repeat(MAX_BODY - exact.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(MAX_BODY);
    expect((await request('POST', '/api/dev-token', { body: padded })).status).toBe(200);
  });
});

describe('the static file server', () => {
  const traversals = [
    '/../secret.txt', '/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%2f..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/../static-secret/secret.txt',
    '/%2e%2e/static-secret/secret.txt', '/..%2fstatic-secret%2fsecret.txt', '/secret.txt%00.html', '/%c0%ae%c0%ae/secret.txt', '/....//secret.txt',
    '/../../../../../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2f..%2fetc%2fpasswd'
  ];

  it('never serves a file from outside its directory: 404 for files, the page itself for app routes', async () => {
    const file = fc.tuple(fc.array(fc.constantFrom('..', '%2e%2e', '.%2e', '%2e.', '..%2f', '..%5c', 'assets', '.', ''), { minLength: 1, maxLength: 8 }), fc.constantFrom('secret.txt', 'static-secret/secret.txt', 'static-secret%2fsecret.txt', 'etc/passwd', 'index.html', 'assets/app.js'));
    // The absolute path of the secret, as a URL path.
    const absolute = `/${encodeURIComponent(join(root, 'secret.txt'))}`;
    const paths = fc.oneof(fc.constantFrom(...traversals, absolute), file.map(([ups, target]) => `/${ups.join('/')}/${target}`));
    await fc.assert(
      fc.asyncProperty(paths, async (path) => {
        const reply = await request('GET', path);
        expectWellFormed(reply, 'GET');
        // Served: the page (index.html, also the fallback for extension-less app routes) or the
        // app bundle, both inside the directory. Otherwise a JSON 404 (or a 400 for a bad escape).
        if (reply.status === 200) expect([PAGE, 'console.log("app")']).toContain(reply.body);
        else expect([400, 404]).toContain(reply.status);
        // A path with an extension is a file: never the page in its place.
        if (path.endsWith('secret.txt')) expect(reply.status).not.toBe(200);
      }),
      { numRuns: 200 },
    );
    expect((await request('GET', '/')).body).toBe(PAGE);
    expect((await request('GET', '/assets/app.js')).body).toBe('console.log("app")');
    await bystander.completesMore();
  });
});
