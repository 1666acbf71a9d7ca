/**
 * Slow consumers cannot hurt others. The same load runs twice against one server process:
 * once with every client reading, once with the heavy users' connections not reading at all.
 * The server's memory stays within the documented bound (maxOutboundBytes per stalled
 * connection, plus one replay page) and the other users' delivery latency within the
 * documented factor.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentwireClient, type WebSocketConstructor } from 'agentwire/client';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { signToken } from '../helpers/tokens.js';

const OUTBOUND_BYTES = 1024 * 1024;
const NORMAL_USERS = 60;
const HEAVY_USERS = 3;
const PHASE_MS = 6000;

let server: ChildServer;
beforeAll(async () => {
  server = await spawnServer({
    AGENTWIRE_OUTBOUND_BUFFER_BYTES: String(OUTBOUND_BYTES),
    AGENTWIRE_SLOW_CONSUMER_TIMEOUT_MS: '60000',
    AGENTWIRE_CONNECTIONS_PER_SECOND_PER_IP: '100000',
    // On disk, so that the server's memory shows the connections, not the events both phases store.
    AGENTWIRE_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'agentwire-slow-')), 'slow.db')}`,
    AGENTWIRE_RETENTION_EVENTS: '100000',
  });
});
afterAll(async () => {
  await server.kill('SIGTERM');
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

/** Opens a connection that completes the handshake and then never reads. */
async function stalledConnection(userId: string): Promise<net.Socket> {
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${await signToken(userId)}\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

async function client(userId: string): Promise<AgentwireClient> {
  const c = new AgentwireClient({ url: server.wsUrl, token: () => signToken(userId), WebSocket: WebSocket as unknown as WebSocketConstructor });
  await c.connect();
  return c;
}

/** Runs the phase's load; returns normal users' latencies (receipt − server accept), in ms. */
async function phase(name: string, stalled: boolean): Promise<{ latencies: number[]; maxRss: number }> {
  const normals = await Promise.all(Array.from({ length: NORMAL_USERS }, (_, i) => client(`${name}-n${i}`)));
  const latencies: number[] = [];
  for (const c of normals) c.on('event', (e) => latencies.push(Date.now() - Date.parse(e.ts)));
  const heavies = await Promise.all(Array.from({ length: HEAVY_USERS }, (_, i) => client(`${name}-h${i}`)));
  const stalls = stalled ? await Promise.all(heavies.map((_, i) => stalledConnection(`${name}-h${i}`))) : [];
  let maxRss = 0;
  const poll = setInterval(() => void metric('agentwire_process_resident_memory_bytes').then((v) => (maxRss = Math.max(maxRss, v))), 250);
  const until = Date.now() + PHASE_MS;
  const loads = [
    ...normals.map(async (c) => {
      while (Date.now() < until) await c.run((await c.send(JSON.stringify({ events: 50, intervalMs: 20, bytes: 120 }), { agent: 'stream' })).runId).done;
    }),
    ...heavies.map(async (c) => {
      while (Date.now() < until) await c.run((await c.send(JSON.stringify({ events: 400, intervalMs: 5, bytes: 16_384 }), { agent: 'stream' })).runId).done;
    }),
  ];
  await Promise.all(loads);
  clearInterval(poll);
  for (const c of [...normals, ...heavies]) c.close();
  for (const s of stalls) s.destroy();
  return { latencies: latencies.sort((a, b) => a - b), maxRss };
}

const p99 = (sorted: number[]) => sorted[Math.floor(sorted.length * 0.99)] ?? 0;

describe('slow consumers', () => {
  it('keep server memory bounded and other users\' latency within the documented factor', async () => {
    const rssBefore = await metric('agentwire_process_resident_memory_bytes');
    const baseline = await phase('base', false);
    const withStalled = await phase('stall', true);
    const figures = {
      rssBeforeMb: rssBefore / 2 ** 20,
      baselineMaxRssMb: baseline.maxRss / 2 ** 20,
      stalledMaxRssMb: withStalled.maxRss / 2 ** 20,
      baselineP50: baseline.latencies[Math.floor(baseline.latencies.length / 2)],
      baselineP99: p99(baseline.latencies),
      stalledP50: withStalled.latencies[Math.floor(withStalled.latencies.length / 2)],
      stalledP99: p99(withStalled.latencies),
      events: withStalled.latencies.length,
    };
    console.log(JSON.stringify(figures));
    // Documented bound (docs/guarantees.md): each stalled connection holds at most its
    // outbound bound plus one replay page; 64 MiB of slack covers GC timing and the load itself.
    expect(withStalled.maxRss).toBeLessThan(Math.max(baseline.maxRss, rssBefore) + HEAVY_USERS * 2 * OUTBOUND_BYTES + 64 * 2 ** 20);
    // Documented factor: p99 with stalled readers ≤ 3 × p99 without them + 50 ms (a p99 of ~10 ms
    // on a 2-core machine shared with the clients moves by tens of ms between phases).
    expect(p99(withStalled.latencies)).toBeLessThanOrEqual(3 * p99(baseline.latencies) + 50);
    expect(withStalled.latencies.length).toBeGreaterThan(1000);
  }, 60_000);
});
