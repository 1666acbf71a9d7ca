import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { maxOutboundBytes: 256 * 1024, slowConsumerTimeoutMs: 1000 }, retention: { maxEventsPerUser: 20_000 } });
});
afterAll(async () => {
  await server.close();
});

/** A raw WebSocket handshake that then never reads: the kernel buffers fill and stay full. */
async function stalledConnection(port: number, token: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('slow consumers', () => {
  it('a reader slower than a burst is fed from the store as it drains; one that stops reading is closed with 4408; a resume gets everything', async () => {
    const token = await signToken('slow-alice');
    const stalled = await stalledConnection(server.port, token);
    const reader = await TestClient.open(server.wsUrl, token);
    // 24 MB: more than loopback's kernel buffers can absorb, so the server-side buffer grows.
    const { runId } = await reader.submit(streamInput(12_000, 0, 2048), { agent: 'stream' });
    await reader.terminalOf(runId, 30_000);
    expect(seqs(reader.events())).toEqual(range(1, 12_002));
    const deadline = Date.now() + 10_000;
    while ((await metric('agentwire_slow_consumer_closes_total')) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await metric('agentwire_slow_consumer_closes_total')).toBe(1);
    stalled.destroy();

    const resumed = await TestClient.open(server.wsUrl, token, { lastSeq: 0, epoch: reader.established.epoch });
    expect(await resumed.waitFor((f) => f.type === 'resumed', 20_000)).toMatchObject({ fromSeq: 1, toSeq: 12_002, recovered: true });
    expect(seqs(resumed.events())).toEqual(range(1, 12_002));
    await Promise.all([reader.close(), resumed.close()]);
  }, 60_000);
});
