/**
 * Demo sign-in (POST /api/dev-token) on servers started the way `agentwire start` starts them (the
 * real CLI in a child process): on only with the secret `start` generated itself, off whenever the
 * operator supplied AGENTWIRE_JWT_SECRET or AGENTWIRE_JWKS_URL, and never for a request that
 * carries a forwarding header, since a reverse proxy on the same host connects from loopback.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { TestClient } from '../helpers/ws-client.js';

const FORWARDING: Record<string, string>[] = [
  { 'x-forwarded-for': '203.0.113.9' },
  { 'x-real-ip': '203.0.113.9' },
  { forwarded: 'for=203.0.113.9;proto=https' },
  { 'x-forwarded-host': 'chat.example.com' },
  { 'x-forwarded-proto': 'https' },
  // What a same-host proxy sends for a request that really came from loopback is still refused:
  // the server cannot tell a truthful proxy from one that forwards the internet.
  { 'x-forwarded-for': '127.0.0.1' },
  { via: '1.1 nginx' },
];

let dataDir: string;
const children: ChildServer[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'agentwire-dev-token-'));
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGTERM')));
  await rm(dataDir, { recursive: true, force: true });
});

/** `agentwire start` with its data under a fresh directory; `env` on top (empty values unset). */
async function start(label: string, env: Record<string, string>): Promise<ChildServer> {
  const child = await spawnServer({ AGENTWIRE_DATA_DIR: join(dataDir, label), AGENTWIRE_STORE: 'memory', AGENTWIRE_JWT_SECRET: '', ...env }, { command: 'start' });
  children.push(child);
  return child;
}

async function devToken(server: ChildServer, headers: Record<string, string> = {}): Promise<{ status: number; body: { token?: string; userId?: string; error?: { code: string; message: string } } }> {
  const reply = await fetch(`${server.url}/api/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'victim-admin' }) });
  return { status: reply.status, body: (await reply.json()) as { token?: string; error?: { code: string; message: string } } };
}

async function demoAnnounced(server: ChildServer): Promise<unknown> {
  return ((await (await fetch(`${server.url}/api/info`)).json()) as { demo: unknown }).demo;
}

describe('agentwire start with a generated secret', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await start('generated', {});
  });

  it('signs a loopback browser in, with a token the server accepts', async () => {
    const reply = await devToken(server);
    expect(reply.status).toBe(200);
    expect(reply.body.userId).toBe('victim-admin');
    // The secret it signs with is the one start generated and kept under the data directory.
    expect((await readFile(join(dataDir, 'generated', 'jwt-secret'), 'utf8')).trim().length).toBeGreaterThan(30);
    const client = await TestClient.open(server.wsUrl, reply.body.token ?? '');
    expect(client.established.userId).toBe('victim-admin');
    await client.close();
    expect(await demoAnnounced(server)).toBe(true);
  });

  it('refuses a request that carries any forwarding header, from loopback all the same', async () => {
    for (const headers of FORWARDING) {
      const reply = await devToken(server, headers);
      expect(reply.status, JSON.stringify(headers)).toBe(403);
      expect(reply.body.error?.code).toBe('FORBIDDEN');
      expect(reply.body.error?.message).toContain(Object.keys(headers)[0]);
      expect(reply.body.token).toBeUndefined();
    }
  });
});

describe('agentwire start with operator credentials', () => {
  it('has no demo sign-in when AGENTWIRE_JWT_SECRET is set, with or without forwarding headers', async () => {
    const server = await start('operator-secret', { AGENTWIRE_JWT_SECRET: 'the-operators-own-secret-at-least-32-bytes' });
    for (const headers of [{}, { 'x-forwarded-for': '203.0.113.9' }]) {
      const reply = await devToken(server, headers);
      expect(reply.status).toBe(404);
      expect(reply.body.error?.code).toBe('NOT_FOUND');
      expect(reply.body.token).toBeUndefined();
    }
    expect(await demoAnnounced(server)).toBe(false);
    // It says so in its log, so an operator who expected the demo knows why.
    expect(server.stderr()).toContain('demo sign-in is off');
  });

  it('has no demo sign-in when AGENTWIRE_JWKS_URL is set', async () => {
    const server = await start('operator-jwks', { AGENTWIRE_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
    const reply = await devToken(server);
    expect(reply.status).toBe(404);
    expect(reply.body.error?.code).toBe('NOT_FOUND');
    expect(await demoAnnounced(server)).toBe(false);
  });
});
