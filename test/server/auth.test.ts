import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, untilConnectionsBelow } from '../helpers/server.js';
import { signToken, unsignedToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { connectionsPerUser: 3 } });
});
afterAll(async () => {
  await server.close();
});

async function closeCodeFor(token: string | undefined, via: 'header' | 'subprotocol' | 'query' = 'header'): Promise<number> {
  const client = await TestClient.connect(server.wsUrl, token, { via });
  const { code } = await client.closed;
  expect(client.frames).toEqual([]);
  return code;
}

describe('authentication', () => {
  it('closes with 4401 for a missing token', async () => {
    expect(await closeCodeFor(undefined)).toBe(4401);
  });
  it('closes with 4401 for an expired token', async () => {
    expect(await closeCodeFor(await signToken('auth-alice', { expiresIn: Math.floor(Date.now() / 1000) - 60 }))).toBe(4401);
  });
  it('closes with 4401 for a token signed with another secret', async () => {
    expect(await closeCodeFor(await signToken('auth-alice', { secret: 'another-secret-that-is-long-enough-to-sign' }))).toBe(4401);
  });
  it('closes with 4401 for alg "none"', async () => {
    expect(await closeCodeFor(unsignedToken('auth-alice'))).toBe(4401);
  });
  it('closes with 4401 for garbage, a missing sub, and a placeholder sub', async () => {
    expect(await closeCodeFor('not.a.jwt')).toBe(4401);
    expect(await closeCodeFor(await signToken(undefined))).toBe(4401);
    expect(await closeCodeFor(await signToken('undefined'))).toBe(4401);
    expect(await closeCodeFor(await signToken(''))).toBe(4401);
  });
  it('closes with 4401 for a token that is not yet valid', async () => {
    expect(await closeCodeFor(await signToken('auth-alice', { notBefore: Math.floor(Date.now() / 1000) + 3600 }))).toBe(4401);
  });

  it('accepts the token as a header, as the bearer subprotocol (selecting agentwire.v1), or as ?access_token', async () => {
    const token = await signToken('auth-bob');
    for (const via of ['header', 'subprotocol', 'query'] as const) {
      const client = await TestClient.connect(server.wsUrl, token, { via });
      await client.waitFor((f) => f.type === 'connection_established');
      expect(client.established.userId).toBe('auth-bob');
      if (via === 'subprotocol') expect(client.socket.protocol).toBe('agentwire.v1');
      await client.close();
    }
  });

  it('closes the connection with 4401 when its token expires', async () => {
    const token = await signToken('auth-carol', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const client = await TestClient.open(server.wsUrl, token);
    const { code } = await client.closed;
    expect(code).toBe(4401);
  }, 15_000);

  it('allows at most connectionsPerUser connections per user; the next one is closed with 4429', async () => {
    const token = await signToken('auth-dave');
    const open = await Promise.all([1, 2, 3].map(() => TestClient.open(server.wsUrl, token)));
    const extra = await TestClient.connect(server.wsUrl, token);
    expect((await extra.closed).code).toBe(4429);
    const held = server.connections.size;
    await open[0]!.close();
    await untilConnectionsBelow(server, held);
    const again = await TestClient.open(server.wsUrl, token);
    await Promise.all([...open.slice(1), again].map((c) => c.close()));
  });

  it('counts refused connections in /metrics', async () => {
    await closeCodeFor(undefined);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/agentwire_auth_failures_total (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
