/**
 * The HTTP side's bounds, on a real server over real sockets: JSON nesting (one setting,
 * maxJsonDepth, for WebSocket frames and every HTTP body, checked before parsing), and time
 * (headers, whole request, idle keep-alive). A client that hangs up mid-upload is counted as
 * aborted, never as a server error. Timings are asserted as "closed, and not before it was due";
 * the upper bounds are loose so a loaded machine cannot fail them, yet far below Node's defaults.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, DEFAULT_HTTP_LIMITS, DEFAULT_TRANSPORT_LIMITS, loadConfig, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { Bystander } from './support/bystander.js';

const DEPTH = 8;
const TIMEOUTS = { headersTimeoutMs: 800, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 400 };

let server: AgentwireServer;
let bystander: Bystander;
let token: string;
const logLines: string[] = [];

beforeAll(async () => {
  server = await startTestServer({
    demo: true,
    transport: { maxJsonDepth: DEPTH, connectionsPerSecondPerIp: 10_000 },
    http: TIMEOUTS,
    logger: createLogger('debug', (line) => logLines.push(line)),
  });
  bystander = await Bystander.start(server, 'http-limits-bystander');
  token = await signToken('http-limits-alice');
});
afterAll(async () => {
  await bystander.stop();
  await server.close();
});

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const reply = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: reply.status, text: await reply.text() };
}

function agUiInput(runId: string, extra: string): string {
  return `{"threadId":"t-${runId}","runId":"${runId}","messages":[{"id":"m-${runId}","role":"user","content":"hi"}],"tools":[],"context":[],"state":{},"forwardedProps":{"x":${extra}}}`;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('JSON nesting: one bound for WebSocket frames and every HTTP body', () => {
  it('defaults to 64 levels', () => {
    expect(DEFAULT_TRANSPORT_LIMITS.maxJsonDepth).toBe(64);
  });

  it('dev-token: a body at the bound is served, one level deeper is 400 INVALID_MESSAGE', async () => {
    // The object itself is level 1, so the array inside may nest DEPTH - 1 deep.
    const at = await post('/api/dev-token', `{"name":"http-limits-deep","x":${nested(DEPTH - 1)}}`);
    expect(at.status).toBe(200);
    const over = await post('/api/dev-token', `{"name":"http-limits-deep","x":${nested(DEPTH)}}`);
    expect(over.status).toBe(400);
    expect(JSON.parse(over.text)).toMatchObject({ error: { code: 'INVALID_MESSAGE', message: expect.stringContaining(`deeper than ${DEPTH} levels`) as unknown } });
  });

  it('ag-ui: a RunAgentInput at the bound runs, one level deeper is 400 INVALID_MESSAGE', async () => {
    const auth = { authorization: `Bearer ${token}` };
    // threadId/runId/messages… sit at level 1, forwardedProps.x at level 2.
    const at = await post('/api/ag-ui', agUiInput('deep-ok', nested(DEPTH - 2)), auth);
    expect(at.status).toBe(200);
    expect(at.text).toContain('RUN_FINISHED');
    const over = await post('/api/ag-ui', agUiInput('deep-over', nested(DEPTH - 1)), auth);
    expect(over.status).toBe(400);
    expect(JSON.parse(over.text)).toMatchObject({ error: { code: 'INVALID_MESSAGE', message: expect.stringContaining(`deeper than ${DEPTH} levels`) as unknown } });
  });

  it('WebSocket: the same setting bounds a frame', async () => {
    const client = await TestClient.open(server.wsUrl, token);
    client.send(`{"type":"ping","x":${nested(DEPTH - 1)}}`);
    client.send(`{"type":"ping","x":${nested(DEPTH)}}`);
    await client.waitUntil(() => client.frames.length >= 3, 10_000);
    expect(client.frames.slice(1).map((f) => f.type)).toEqual(['pong', 'error']);
    expect(client.frames[2]).toMatchObject({ code: 'INVALID_MESSAGE', message: expect.stringContaining(`deeper than ${DEPTH} levels`) as unknown });
    await client.close();
  });

  it('ten 1 MiB bodies nested 524k deep are refused before parsing; a bystander keeps being served', async () => {
    const bomb = nested(512 * 1024);
    for (let i = 0; i < 10; i++) {
      const reply = await post('/api/ag-ui', bomb, { authorization: `Bearer ${token}` });
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('deeper than');
    }
    await bystander.completesMore();
  });
});

interface RawOutcome {
  statusLine: string;
  /** The answer after its headers (chunked framing and all), if any. */
  body: string;
  elapsedMs: number;
}

/** Writes `text` on a fresh socket and waits (at most capMs) for the server to close it. */
function rawUntilClosed(text: string, capMs: number, after?: (socket: ReturnType<typeof connect>, received: () => string) => void): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    let started = 0;
    const cap = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${capMs} ms; received ${JSON.stringify(received)}`));
    }, capMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      after?.(socket, () => received);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(cap);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ statusLine: head.split('\r\n')[0] ?? '', body, elapsedMs: performance.now() - started });
    });
    socket.on('connect', () => {
      started = performance.now();
      socket.write(text);
    });
  });
}

describe('HTTP timeouts', () => {
  it('a body that promises 1000 bytes and sends 10 is answered 408 REQUEST_TIMEOUT and closed (unauthenticated route)', async () => {
    const { statusLine, body, elapsedMs } = await rawUntilClosed('POST /api/dev-token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":"a', 15_000);
    expect(statusLine).toMatch(/^HTTP\/1\.1 408 /);
    // The body reader's own deadline answered (with a code), not only Node's backstop.
    expect(body).toContain('"code":"REQUEST_TIMEOUT"');
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 50);
  });

  it('the same on the authenticated AG-UI route', async () => {
    const { statusLine, body } = await rawUntilClosed(`POST /api/ag-ui HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"threadId"`, 15_000);
    expect(statusLine).toMatch(/^HTTP\/1\.1 408 /);
    expect(body).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('a body nobody reads (GET with a promised body) is still cut off once the answer is out', async () => {
    const { elapsedMs } = await rawUntilClosed('GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789', 15_000);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.requestTimeoutMs - 50);
  });

  it('headers that never finish are cut off at the headers timeout', async () => {
    const { elapsedMs } = await rawUntilClosed('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1', 15_000);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.headersTimeoutMs - 50);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout (Node default: 5 s)', async () => {
    let answeredAt = 0;
    const { statusLine, elapsedMs } = await rawUntilClosed('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n', 4_000, (_socket, received) => {
      if (answeredAt === 0 && received().includes('"ok"')) answeredAt = performance.now();
    });
    expect(statusLine).toBe('HTTP/1.1 200 OK');
    expect(answeredAt).toBeGreaterThan(0);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveTimeoutMs - 50);
  });

  it('bounds only the request: a WebSocket outlives the request timeout', async () => {
    const client = await TestClient.open(server.wsUrl, token);
    await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.requestTimeoutMs * 2.5));
    client.send('{"type":"ping"}');
    await client.waitFor((f) => f.type === 'pong', 10_000);
    await client.close();
  });

  it('have defaults and settings', () => {
    expect(DEFAULT_HTTP_LIMITS).toEqual({ headersTimeoutMs: 15_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
    const config = loadConfig({ AGENTWIRE_HTTP_HEADERS_TIMEOUT_MS: '1000', AGENTWIRE_HTTP_REQUEST_TIMEOUT_MS: '2000', AGENTWIRE_HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000', AGENTWIRE_MAX_JSON_DEPTH: '16' });
    expect(config.http).toEqual({ headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 65000 });
    expect(config.transport.maxJsonDepth).toBe(16);
    expect(() => loadConfig({ AGENTWIRE_HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/AGENTWIRE_HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('refuses a timeout that is not a positive integer, naming it', async () => {
    await expect(startTestServer({ http: { keepAliveTimeoutMs: 0 } })).rejects.toThrow(/http\.keepAliveTimeoutMs/);
  });
});

describe('aborted uploads', () => {
  it('are counted as aborted, not as errors: background_errors_total unchanged, nothing logged at error', async () => {
    const errorsBefore = await metric('agentwire_background_errors_total');
    const abortedBefore = await metric('agentwire_http_requests_aborted_total{reason="client_closed"}');
    const errorLinesBefore = logLines.filter((l) => l.includes('"level":"error"')).length;
    for (const [path, headers] of [['/api/dev-token', ''], ['/api/ag-ui', `Authorization: Bearer ${token}\r\n`]] as const) {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Length: 1000\r\n\r\n{"name":"half`);
      // Hang up once the server has started reading the body (the request is in its hands).
      await new Promise((resolve) => setTimeout(resolve, 150));
      socket.destroy();
    }
    const deadline = Date.now() + 10_000;
    const settled = async (): Promise<boolean> =>
      (await metric('agentwire_http_requests_aborted_total{reason="client_closed"}')) >= abortedBefore + 2 || (await metric('agentwire_background_errors_total')) > errorsBefore;
    while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await metric('agentwire_background_errors_total')).toBe(errorsBefore);
    expect(logLines.filter((l) => l.includes('"level":"error"')).length).toBe(errorLinesBefore);
    expect(await metric('agentwire_http_requests_aborted_total{reason="client_closed"}')).toBe(abortedBefore + 2);
  });
});
