/**
 * The figures of issue 12 items 2 (JSON nesting over HTTP), 3 (demo sign-in), 6 (tokens without
 * exp), 7 (invisible characters in user ids) and 8 (HTTP timeouts), measured against a real
 * server. Rerun: node --conditions=agentwire-source --import tsx scripts/http-hardening-figures.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createLogger, startServer } from 'agentwire/server';

const SECRET = 'figures-secret-that-is-at-least-32-bytes-long';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The timeouts the "after" server is given; a server without them ignores the option. */
const SHORT_TIMEOUTS = { headersTimeoutMs: 2_000, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 2_000 };
const SLOW_BODY_CAP_MS = 20_000;

async function token(sub: string, withExp = true): Promise<string> {
  let jwt = new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (withExp) jwt = jwt.setExpirationTime('1h');
  return jwt.sign(new TextEncoder().encode(SECRET));
}

/** What a WebSocket with this token gets: its first frame's type, or the close code and reason. */
function wsOutcome(wsUrl: string, jwt: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${jwt}` } });
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { type: string; userId?: string };
      resolve(`accepted (${frame.type}, userId ${JSON.stringify(frame.userId)})`);
      socket.close();
    });
    socket.on('close', (code, reason) => resolve(`closed ${code} "${reason.toString()}"`));
    socket.on('error', () => undefined);
  });
}

/** A bystander's WebSocket ping round trips, every 20 ms, until stopped: the slowest one. */
async function pingLoop(wsUrl: string, jwt: string): Promise<() => Promise<number>> {
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${jwt}` } });
  await new Promise((resolve) => socket.once('message', resolve));
  let worst = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const sent = performance.now();
      socket.send('{"type":"ping"}');
      await new Promise((resolve) => socket.once('message', resolve));
      worst = Math.max(worst, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    state.running = false;
    await loop;
    socket.close();
    return worst;
  };
}

async function nesting(url: string, wsUrl: string, jwt: string): Promise<void> {
  const stopPings = await pingLoop(wsUrl, await token('figures-bystander'));
  const half = 512 * 1024;
  const body = '['.repeat(half) + ']'.repeat(half);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const rssBefore = process.memoryUsage().rss;
  lag.enable();
  const started = performance.now();
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) {
    const reply = await fetch(`${url}/api/ag-ui`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body });
    statuses.push(reply.status);
    await reply.text();
  }
  lag.disable();
  const rssAfter = process.memoryUsage().rss;
  const worstPing = await stopPings();
  console.log(`item 2  10 x POST /api/ag-ui, 1 MiB nested ${half} deep: statuses ${[...new Set(statuses)].join(',')}, ${(performance.now() - started).toFixed(0)} ms total, event loop stalled up to ${(lag.max / 1e6).toFixed(0)} ms, rss ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MB, a bystander's slowest WebSocket ping ${worstPing.toFixed(0)} ms`);
}

/** A raw request that promises 1000 body bytes and sends 10: how long until the server closes it. */
function slowBody(port: number, path: string, headers = ''): Promise<string> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const cap = setTimeout(() => {
      socket.destroy();
      resolve(`still open after ${SLOW_BODY_CAP_MS / 1000} s`);
    }, SLOW_BODY_CAP_MS);
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(cap);
      resolve(`closed after ${((performance.now() - started) / 1000).toFixed(1)} s (${reply.split('\r\n')[0] || 'no answer'})`);
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n${headers}\r\n{"name":"a`);
  });
}

/** Sends half a body and hangs up, as a browser tab closed mid-upload does. */
async function abortedUpload(port: number, path: string, headers: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n${headers}\r\n{"threadId":`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function devToken(env: Record<string, string>): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentwire-figures-'));
  const child = spawn(process.execPath, ['--conditions=agentwire-source', '--import', 'tsx', 'src/cli/main.ts', 'start'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DATA_DIR: dataDir, AGENTWIRE_STORE: 'memory', AGENTWIRE_LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`agentwire start exited with ${code}`)));
    });
    const ask = async (headers: Record<string, string>) => {
      const reply = await fetch(`http://127.0.0.1:${port}/api/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"name":"victim-admin"}' });
      const text = await reply.text();
      return `${reply.status} ${reply.ok ? 'token issued' : text}`;
    };
    return `plain: ${await ask({})}; X-Forwarded-For: ${await ask({ 'x-forwarded-for': '203.0.113.9' })}`;
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let errorLines = 0;
  const logger = createLogger('error', (line) => {
    if (line.includes('"level":"error"')) errorLines += 1;
  });
  const server = await startServer({ port: 0, host: '127.0.0.1', auth: { jwtSecret: SECRET }, logger, demo: true, http: SHORT_TIMEOUTS });
  try {
    await nesting(server.url, server.wsUrl, await token('figures-alice'));
    console.log(`item 6  token without exp: ${await wsOutcome(server.wsUrl, await token('figures-bob', false))}`);
    for (const sub of ['alice\u00a0', 'alice\u200b', 'alice\u202e', 'alice\u2028', 'alice\ud800']) {
      console.log(`item 7  sub ${JSON.stringify(sub)}: ${await wsOutcome(server.wsUrl, await token(sub))}`);
    }
    const errorsBefore = (await server.metrics.registry.getSingleMetricAsString('agentwire_background_errors_total')).split('\n').filter((l) => !l.startsWith('#')).join(' ');
    const auth = `Authorization: Bearer ${await token('figures-carol')}\r\n`;
    const [devTokenSlow, agUiSlow] = await Promise.all([slowBody(server.port, '/api/dev-token'), slowBody(server.port, '/api/ag-ui', auth)]);
    for (const path of ['/api/dev-token', '/api/ag-ui']) await abortedUpload(server.port, path, auth);
    console.log(`item 8  Content-Length 1000, 10 bytes sent: /api/dev-token ${devTokenSlow}; /api/ag-ui ${agUiSlow}`);
    const errorsAfter = (await server.metrics.registry.getSingleMetricAsString('agentwire_background_errors_total')).split('\n').filter((l) => !l.startsWith('#')).join(' ');
    console.log(`item 8  after the slow bodies and 2 aborted uploads: background_errors_total before "${errorsBefore}" after "${errorsAfter}"; error log lines ${errorLines}`);
  } finally {
    await server.close();
  }
  console.log(`item 3  agentwire start with AGENTWIRE_JWT_SECRET: ${await devToken({ AGENTWIRE_JWT_SECRET: SECRET })}`);
  console.log(`item 3  agentwire start, generated secret: ${await devToken({})}`);
}

await main();
