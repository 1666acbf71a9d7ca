/**
 * Limits on connections: a token that expires while connected ends the connection with 4401 at
 * its expiry (plus the configured grace, measured against the token's own `exp`), a burst of
 * connections from one IP address is refused with HTTP 429 at the upgrade (other addresses
 * unaffected), and a user's connections are capped (the extra ones close with 4429, exactly).
 */
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput, untilConnectionsBelow } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range } from '../helpers/ws-client.js';
import { answerTo } from './support/answers.js';
import { expectCompleteRun } from './support/bystander.js';

const servers: AgentwireServer[] = [];
async function serve(options: Parameters<typeof startTestServer>[0]): Promise<AgentwireServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Opens a connection whose token expires at the next whole second at least `leadMs` away; resolves when it closes. */
async function closeAfterExpiry(server: AgentwireServer, user: string, leadMs = 1_500): Promise<{ code: number; afterExpiryMs: number }> {
  const exp = Math.ceil((Date.now() + leadMs) / 1000);
  const client = await TestClient.open(server.wsUrl, await signToken(user, { expiresIn: exp }));
  // Healthy until then: it answers and runs.
  await answerTo(client, '{"type":"ping"}', [{ type: 'pong' }]);
  const { runId } = await client.submit(streamInput(3), { agent: 'stream' });
  await client.terminalOf(runId);
  expectCompleteRun(client.runEvents(runId), 3);
  const { code } = await client.closed;
  return { code, afterExpiryMs: Date.now() - exp * 1000 };
}

describe('a token that expires while connected', () => {
  it('ends the connection with 4401 at its expiry', async () => {
    const server = await serve({});
    const { code, afterExpiryMs } = await closeAfterExpiry(server, 'limits-expiring');
    expect(code).toBe(4401);
    expect(afterExpiryMs).toBeGreaterThanOrEqual(-50);
    // Not before the expiry; the upper bound only says "it happens" (timers run late on a loaded machine).
    expect(afterExpiryMs).toBeLessThan(10_000);
  }, 15_000);

  it('with tokenExpiryGraceMs: 1500, stays open that much longer, then 4401', async () => {
    const server = await serve({ transport: { tokenExpiryGraceMs: 1_500 } });
    const { code, afterExpiryMs } = await closeAfterExpiry(server, 'limits-grace');
    expect(code).toBe(4401);
    expect(afterExpiryMs).toBeGreaterThanOrEqual(1_200);
    expect(afterExpiryMs).toBeLessThan(10_000);
  }, 15_000);

  it('expiry is per connection: the same user\'s connection with a fresh token stays', async () => {
    const server = await serve({});
    const fresh = await TestClient.open(server.wsUrl, await signToken('limits-two-tokens'));
    const { code } = await closeAfterExpiry(server, 'limits-two-tokens', 1_000);
    expect(code).toBe(4401);
    await answerTo(fresh, '{"type":"ping"}', [{ type: 'pong' }]);
    await fresh.close();
  }, 15_000);
});

/** Connects without waiting for anything; reports what the upgrade came to. */
function attempt(url: string, token: string, localAddress?: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}`, ...headers }, perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}) });
      res.resume();
    });
    socket.once('error', reject);
  });
}

describe('connections per second per address', () => {
  it('150 users opening at once from one address all get through (valid tokens are capped per user, not per address)', async () => {
    const server = await serve({});
    const tokens = await Promise.all(range(1, 150).map((i) => signToken(`limits-crowd-${i}`)));
    const outcomes = await Promise.all(tokens.map((token) => attempt(server.wsUrl, token)));
    const opened = outcomes.filter((o) => o.status === 101).length;
    console.log(`150 users from one address at once: ${opened} opened, ${outcomes.filter((o) => o.status === 429).length} refused with 429`);
    expect(opened).toBe(150);
    for (const o of outcomes) o.socket?.close();
  });

  it('a burst of failed handshakes from one address: the allowance (2 × rate) gets 4401, the rest HTTP 429 with Retry-After', async () => {
    const rate = 5;
    const server = await serve({ transport: { connectionsPerSecondPerIp: rate } });
    const started = Date.now();
    const guesses = await Promise.all(range(1, 30).map(() => attempt(server.wsUrl, 'guess')));
    const seconds = (Date.now() - started) / 1000;
    const answered = guesses.filter((o) => o.status === 101);
    const refused = guesses.filter((o) => o.status === 429);
    expect(answered.length + refused.length).toBe(30);
    expect(answered.length).toBeGreaterThanOrEqual(2 * rate);
    expect(answered.length).toBeLessThanOrEqual(2 * rate + Math.ceil(rate * seconds));
    expect(refused.every((o) => o.retryAfter !== undefined && Number(o.retryAfter) >= 1)).toBe(true);
    // Requests without any token are counted the same way: the allowance is spent, so a burst of
    // them is refused but for what refilled meanwhile (a loaded machine may take seconds here).
    const anonStarted = Date.now();
    const anonymous = await Promise.all(range(1, 10).map(() => attempt(server.wsUrl, '')));
    const refilled = Math.ceil(rate * ((Date.now() - started) / 1000));
    expect(anonymous.filter((o) => o.status === 429).length).toBeGreaterThanOrEqual(10 - refilled);
    expect(anonymous.filter((o) => o.status === 101).length).toBeLessThanOrEqual(refilled + Math.ceil(rate * ((Date.now() - anonStarted) / 1000)));
    for (const o of anonymous) o.socket?.close();
    // A valid token from the same address is not held back by the guesses.
    const valid = await attempt(server.wsUrl, await signToken('limits-after-guesses'));
    expect(valid.status).toBe(101);
    valid.socket?.close();
    // Another address has its own allowance.
    const elsewhere = await attempt(server.wsUrl, 'guess', '127.0.0.2');
    expect(elsewhere.status).toBe(101);
    elsewhere.socket?.close();
    for (const o of answered) o.socket?.close();
  });
});

describe('behind a reverse proxy', () => {
  async function guesses(server: AgentwireServer, forwardedFor: string, count: number): Promise<number[]> {
    const outcomes = await Promise.all(range(1, count).map(() => attempt(server.wsUrl, 'guess', undefined, { 'x-forwarded-for': forwardedFor })));
    for (const o of outcomes) o.socket?.close();
    return outcomes.map((o) => o.status);
  }

  it('from a trusted proxy, each forwarded client has its own allowance of failed handshakes', async () => {
    const server = await serve({ transport: { connectionsPerSecondPerIp: 2 }, trustedProxies: ['127.0.0.1'] });
    const first = await guesses(server, '203.0.113.1', 12);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(0);
    // Another client behind the same proxy is not refused for the first one's guesses.
    const second = await guesses(server, '203.0.113.2', 4);
    expect(second.filter((s) => s === 101).length).toBeGreaterThanOrEqual(4);
  });

  it('from a peer that is not a trusted proxy, the header is ignored: a spoofed address buys no allowance', async () => {
    const server = await serve({ transport: { connectionsPerSecondPerIp: 2 } });
    await guesses(server, '203.0.113.1', 12);
    const spoofed = await guesses(server, '203.0.113.2', 4);
    expect(spoofed.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
  });
});

describe('connections per user', () => {
  it('10 concurrent connects with a cap of 3: exactly 3 open, 7 close with 4429 before any frame', async () => {
    const server = await serve({ transport: { connectionsPerUser: 3, connectionsPerSecondPerIp: 1_000 } });
    const token = await signToken('limits-capped');
    const clients = await Promise.all(range(1, 10).map(() => TestClient.connect(server.wsUrl, token)));
    const outcomes = await Promise.all(clients.map((c) => Promise.race([c.closed, c.waitFor((f) => f.type === 'connection_established').then(() => 'open' as const)])));
    expect(outcomes.filter((o) => o === 'open')).toHaveLength(3);
    const closed = outcomes.filter((o) => o !== 'open');
    expect(closed.map((o) => o.code)).toEqual(Array<number>(7).fill(4429));
    for (const [i, client] of clients.entries()) if (outcomes[i] !== 'open') expect(client.frames).toEqual([]);
    // Another user is not affected, and a freed slot can be taken again.
    const other = await TestClient.open(server.wsUrl, await signToken('limits-other'));
    const open = clients.filter((_c, i) => outcomes[i] === 'open');
    const held = server.connections.size;
    await open[0]!.close();
    await untilConnectionsBelow(server, held);
    const again = await TestClient.open(server.wsUrl, token);
    const over = await TestClient.connect(server.wsUrl, token);
    expect((await over.closed).code).toBe(4429);
    await Promise.all([other, again, ...open.slice(1)].map((c) => c.close()));
  });
});
