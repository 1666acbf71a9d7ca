import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, Resumed } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { spawnServer } from '../helpers/child-server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('resume', () => {
  it('a connection dropped mid-run resumes with its last seq: nothing lost, nothing twice', async () => {
    const token = await signToken('resume-alice');
    const first = await TestClient.open(server.wsUrl, token);
    const { runId } = await first.submit(streamInput(60, 5), { agent: 'stream' });
    await first.waitUntil(() => first.events().length >= 10);
    first.socket.terminate();
    await first.closed;
    const got = first.events();
    const lastSeq = got[got.length - 1]!.seq;
    expect(lastSeq).toBeLessThan(62);

    const second = await TestClient.open(server.wsUrl, token, { lastSeq, epoch: first.established.epoch });
    const terminal = await second.terminalOf(runId);
    expect(terminal.type).toBe('agent_completed');
    const resumed = await second.waitFor<Resumed>((f) => f.type === 'resumed');
    expect(resumed).toMatchObject({ fromSeq: lastSeq + 1, recovered: true });
    const all = [...got, ...second.events()];
    expect(seqs(all)).toEqual(range(1, 62));
    expect(second.events()[0]!.seq).toBe(lastSeq + 1);
    await second.close();
  });

  it('two tabs of one user both get every event', async () => {
    const token = await signToken('resume-bob');
    const [a, b] = await Promise.all([TestClient.open(server.wsUrl, token), TestClient.open(server.wsUrl, token)]);
    const { runId } = await a.submit(streamInput(25, 2), { agent: 'stream' });
    await Promise.all([a.terminalOf(runId), b.terminalOf(runId)]);
    expect(seqs(a.events())).toEqual(range(1, 27));
    expect(seqs(b.events())).toEqual(range(1, 27));
    expect(b.events().map((e) => e.eventId)).toEqual(a.events().map((e) => e.eventId));
    await Promise.all([a.close(), b.close()]);
  });

  it('resume at the head replays nothing and says recovered', async () => {
    const token = await signToken('resume-carol');
    const a = await TestClient.open(server.wsUrl, token);
    const { runId } = await a.submit(streamInput(3), { agent: 'stream' });
    const terminal = await a.terminalOf(runId);
    await a.close();
    const b = await TestClient.open(server.wsUrl, token, { lastSeq: terminal.seq, epoch: a.established.epoch });
    expect(await b.waitFor((f) => f.type === 'resumed')).toMatchObject({ fromSeq: terminal.seq + 1, toSeq: terminal.seq, recovered: true });
    expect(b.events()).toEqual([]);
    await b.close();
  });

  it('a wrong epoch or a seq beyond the head gets recovered: false and the stream continues live', async () => {
    const token = await signToken('resume-dave');
    const a = await TestClient.open(server.wsUrl, token, { lastSeq: 5, epoch: 'some-other-epoch' });
    expect(await a.waitFor((f) => f.type === 'resumed')).toMatchObject({ recovered: false, toSeq: 0 });
    const { runId } = await a.submit(streamInput(2), { agent: 'stream' });
    await a.terminalOf(runId);
    expect(seqs(a.events())).toEqual([1, 2, 3, 4]);
    await a.close();
  });

  it('in-band resume replays what the connection never carried, each seq once', async () => {
    const token = await signToken('resume-erin');
    const a = await TestClient.open(server.wsUrl, token);
    const { runId } = await a.submit(streamInput(8), { agent: 'stream' });
    await a.terminalOf(runId);
    await a.close();
    // A fresh connection starts at the head (10); the client then learns it only had seq 4.
    const b = await TestClient.open(server.wsUrl, token);
    expect(b.established.lastSeq).toBe(10);
    const run2 = await b.submit(streamInput(3), { agent: 'stream' });
    b.send({ type: 'resume', lastSeq: 4, epoch: b.established.epoch });
    await b.terminalOf(run2.runId);
    expect(await b.waitFor((f) => f.type === 'resumed')).toMatchObject({ fromSeq: 5, toSeq: 10, recovered: true });
    const got = seqs(b.events());
    expect([...got].sort((x, y) => x - y)).toEqual(range(5, 15));
    expect(new Set(got).size).toBe(got.length);
    // A second in-band resume for the same range sends nothing again.
    b.send({ type: 'resume', lastSeq: 4, epoch: b.established.epoch });
    await b.waitUntil(() => b.frames.filter((f) => f.type === 'resumed').length === 2);
    expect(b.events()).toHaveLength(got.length);
    await b.close();
  });

  it('a resume past the retention window says recovered: false instead of skipping silently', async () => {
    const small = await startTestServer({ retention: { maxEventsPerUser: 5 } });
    try {
      const token = await signToken('resume-frank');
      const a = await TestClient.open(small.wsUrl, token);
      const { runId } = await a.submit(streamInput(10), { agent: 'stream' });
      await a.terminalOf(runId);
      await a.close();
      const b = await TestClient.open(small.wsUrl, token, { lastSeq: 2, epoch: a.established.epoch });
      expect(await b.waitFor((f) => f.type === 'resumed')).toMatchObject({ fromSeq: 3, toSeq: 12, recovered: false });
      expect(b.events()).toEqual([]);
      await b.close();
    } finally {
      await small.close();
    }
  });

  it('acks are cumulative and cannot exceed what was sent', async () => {
    const token = await signToken('resume-gina');
    const a = await TestClient.open(server.wsUrl, token);
    const { runId } = await a.submit(streamInput(3), { agent: 'stream' });
    const terminal = await a.terminalOf(runId);
    a.send({ type: 'ack', seq: terminal.seq });
    a.send({ type: 'ack', seq: terminal.seq + 100 });
    expect(await a.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    await a.close();
  });
});

describe('restart on the same SQLite file', () => {
  it('after SIGKILL, serves a resume of everything sent before, and ends the run it cut off with one agent_death', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'agentwire-restart-')), 'agentwire.db');
    const token = await signToken('restart-alice');
    const before = await spawnServer({ AGENTWIRE_STORE: `sqlite:${path}` });
    const a = await TestClient.open(before.wsUrl, token);
    const done = await a.submit(streamInput(5), { agent: 'stream' });
    await a.terminalOf(done.runId);
    const cut = await a.submit(streamInput(1000, 20), { agent: 'stream' });
    await a.waitUntil(() => a.runEvents(cut.runId).length >= 3);
    await before.kill('SIGKILL');
    await a.closed;
    const seen = a.events();

    const after = await spawnServer({ AGENTWIRE_STORE: `sqlite:${path}` });
    try {
      const b = await TestClient.open(after.wsUrl, token, { lastSeq: 0, epoch: a.established.epoch });
      const death = await b.terminalOf(cut.runId);
      expect(death.type).toBe('agent_death');
      expect(death.data).toMatchObject({ cause: 'node_lost' });
      await b.waitFor((f) => f.type === 'resumed');
      const replayed = b.events();
      expect(seqs(replayed)).toEqual(range(1, replayed.length));
      // Everything the first connection saw is there, identical, under the same seqs.
      expect(replayed.slice(0, seen.length).map((e) => e.eventId)).toEqual(seen.map((e) => e.eventId));
      const terminals = replayed.filter((e: AgentEvent) => e.runId === cut.runId && ['agent_completed', 'agent_error', 'agent_death'].includes(e.type));
      expect(terminals).toEqual([death]);
      expect(replayed[replayed.length - 1]).toEqual(death);
      await b.close();
    } finally {
      await after.kill('SIGTERM');
    }
  }, 60_000);
});
