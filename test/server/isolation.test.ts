import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({ transport: { connectionsPerSecondPerIp: 10_000 }, engine: { maxConcurrentRuns: 1000 } });
});
afterAll(async () => {
  await server.close();
});

describe('isolation and ordering under load', () => {
  it('150 users × 30 events, concurrently: each user gets all of their own events and none of anyone else\'s', async () => {
    const users = range(1, 150).map((i) => `iso-user-${i}`);
    const clients = await Promise.all(users.map(async (u) => TestClient.open(server.wsUrl, await signToken(u))));
    const runs = await Promise.all(clients.map((c) => c.submit(streamInput(30), { agent: 'stream' })));
    await Promise.all(clients.map((c, i) => c.terminalOf(runs[i]!.runId, 30_000)));
    clients.forEach((client, i) => {
      const events = client.events();
      expect(events.every((e) => e.userId === users[i])).toBe(true);
      expect(events.every((e) => e.runId === runs[i]!.runId)).toBe(true);
      // agent_started + 30 deltas + agent_completed
      expect(events.filter((e) => e.type === 'agent_message_delta')).toHaveLength(30);
      expect(seqs(events)).toEqual(range(1, 32));
    });
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);

  it('50 connections × 100 events: no ordering violation, no gap, on every connection', async () => {
    // 10 users with 5 tabs each; each user runs two interleaving runs of 49 deltas (2 × 50 events).
    const users = range(1, 10).map((i) => `order-user-${i}`);
    const tabs = await Promise.all(users.flatMap((u) => range(1, 5).map(async () => ({ user: u, client: await TestClient.open(server.wsUrl, await signToken(u)) }))));
    const byUser = new Map(users.map((u) => [u, tabs.filter((t) => t.user === u).map((t) => t.client)]));
    const runs = await Promise.all(users.flatMap((u) => [0, 1].map(() => byUser.get(u)![0]!.submit(streamInput(48, 1), { agent: 'stream' }))));
    for (const { client } of tabs) await client.waitUntil(() => client.events().length >= 100, 30_000);
    for (const { user, client } of tabs) {
      const events = client.events();
      expect(events).toHaveLength(100);
      expect(seqs(events)).toEqual(range(1, 100));
      expect(events.every((e) => e.userId === user)).toBe(true);
      for (const run of new Set(events.map((e) => e.runId))) {
        const deltas = events.filter((e) => e.runId === run && e.type === 'agent_message_delta').map((e) => (e.data as { delta: string }).delta.slice(0, 7));
        expect(deltas).toEqual([...deltas].sort());
      }
    }
    expect(runs).toHaveLength(20);
    await Promise.all(tabs.map((t) => t.client.close()));
  }, 60_000);
});
