/**
 * Issue 12 item 1: resumes that arrive together, and many of them, against a real server.
 * Every figure is what the server sent (frames the clients received, the server's metrics).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent, ErrorMessage, Resumed } from 'agentwire';
import { DEFAULT_TRANSPORT_LIMITS, MemoryEventStore, loadConfig, type AgentwireServer, type EventDraft, type StoredEvent } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { sendInOneWrite } from '../helpers/raw-burst.js';

const servers: AgentwireServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Parameters<typeof startTestServer>[0]): Promise<AgentwireServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function metric(server: AgentwireServer, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1] ?? 0);
}

/** Gives `userId` a history of `events` deltas (events + 2 seqs) and returns its epoch. */
async function history(server: AgentwireServer, userId: string, events: number, bytes = 60): Promise<string> {
  const client = await TestClient.open(server.wsUrl, await signToken(userId));
  const { runId } = await client.submit(streamInput(events, 0, bytes), { agent: 'stream' });
  await client.terminalOf(runId, 60_000);
  await client.close();
  return client.established.epoch;
}

function resumes(count: number, lastSeq: number, epoch: string): string[] {
  return Array.from({ length: count }, () => JSON.stringify({ type: 'resume', lastSeq, epoch }));
}

function answers(client: TestClient): Resumed[] {
  return client.frames.filter((f): f is Resumed => f.type === 'resumed');
}

/** Each seq of 1..last exactly once among the event frames this connection received. */
function expectEachSeqOnce(events: AgentEvent[], last: number): void {
  expect(events).toHaveLength(last);
  expect([...seqs(events)].sort((a, b) => a - b)).toEqual(range(1, last));
}

describe('settings', () => {
  it('the replay budget and the pending-resume cap have defaults and variables', () => {
    expect(DEFAULT_TRANSPORT_LIMITS).toMatchObject({ replayPageEvents: 256, maxPendingResumes: 16 });
    expect(loadConfig({ AGENTWIRE_REPLAY_PAGE_EVENTS: '64', AGENTWIRE_MAX_PENDING_RESUMES: '3' }).transport).toMatchObject({ replayPageEvents: 64, maxPendingResumes: 3 });
    expect(() => loadConfig({ AGENTWIRE_MAX_PENDING_RESUMES: 'many' })).toThrow(/AGENTWIRE_MAX_PENDING_RESUMES/);
  });
});

describe('in-band resumes that arrive together', () => {
  it('ten resumes written in one TCP write replay each seq once, and each gets its own resumed', async () => {
    const server = await serve({});
    const epoch = await history(server, 'burst-alice', 300);
    const client = await TestClient.open(server.wsUrl, await signToken('burst-alice'));
    expect(client.established.lastSeq).toBe(302);
    await sendInOneWrite(client.socket, resumes(10, 0, epoch));
    await client.waitUntil(() => answers(client).length === 10);
    // Anything a second replay would send is queued behind the answers; a ping's pong comes after it.
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    expectEachSeqOnce(client.events(), 302);
    expect(answers(client)[0]).toEqual({ type: 'resumed', fromSeq: 1, toSeq: 302, recovered: true });
    for (const later of answers(client).slice(1)) expect(later).toEqual({ type: 'resumed', fromSeq: 1, toSeq: 0, recovered: true });
    await client.close();
  });

  it('resumes for different points in one write replay the union once, in the order asked', async () => {
    const server = await serve({});
    const epoch = await history(server, 'burst-bob', 100);
    const client = await TestClient.open(server.wsUrl, await signToken('burst-bob'));
    await sendInOneWrite(client.socket, [...resumes(1, 60, epoch), ...resumes(1, 20, epoch), ...resumes(1, 90, epoch), ...resumes(1, 0, epoch)]);
    await client.waitUntil(() => answers(client).length === 4);
    expect(answers(client)).toEqual([
      { type: 'resumed', fromSeq: 61, toSeq: 102, recovered: true },
      { type: 'resumed', fromSeq: 21, toSeq: 60, recovered: true },
      { type: 'resumed', fromSeq: 91, toSeq: 90, recovered: true },
      { type: 'resumed', fromSeq: 1, toSeq: 20, recovered: true },
    ]);
    expectEachSeqOnce(client.events(), 102);
    await client.close();
  });

  it('more resumes than may wait are refused with RATE_LIMITED; every one is answered once', async () => {
    const server = await serve({ transport: { maxPendingResumes: 2 } });
    const epoch = await history(server, 'burst-carol', 50);
    const client = await TestClient.open(server.wsUrl, await signToken('burst-carol'));
    await sendInOneWrite(client.socket, resumes(12, 0, epoch));
    const refused = (): ErrorMessage[] => client.frames.filter((f): f is ErrorMessage => f.type === 'error');
    await client.waitUntil(() => answers(client).length + refused().length === 12);
    expect(refused().length).toBeGreaterThanOrEqual(1);
    for (const error of refused()) expect(error.code).toBe('RATE_LIMITED');
    expectEachSeqOnce(client.events(), 52);
    await client.close();
  });
});

describe('a resume storm', () => {
  const STORM_EVENTS = 20_000;
  const STORM_SEQS = STORM_EVENTS + 2;

  it('keeps every socket within the outbound bound, and each storm connection still gets each seq once', async () => {
    const bound = 256 * 1024;
    const server = await serve({ transport: { maxOutboundBytes: bound, slowConsumerTimeoutMs: 60_000 }, retention: { maxEventsPerUser: 50_000 } });
    // ~9 MB per connection: more than loopback's kernel buffers hold, so the server's buffer fills.
    const epoch = await history(server, 'storm-dave', STORM_EVENTS, 200);
    const token = await signToken('storm-dave');
    const storm = await Promise.all(range(1, 5).map(() => TestClient.open(server.wsUrl, token)));
    // Readers that stop reading (a slow link): whatever the server queues for them stays queued.
    for (const client of storm) client.socket.pause();
    await Promise.all(storm.map((client) => sendInOneWrite(client.socket, resumes(8, 0, epoch))));
    // Wait until the replay stops making progress: the kernel's buffers and then ours are full.
    let replayed = -1;
    for (let now = await metric(server, 'agentwire_events_replayed_total'); now !== replayed; now = await metric(server, 'agentwire_events_replayed_total')) {
      replayed = now;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    const frame = (await server.store.readAfter('storm-dave', 0, 1))[0]!.frame.length;
    const peak = await metric(server, 'agentwire_outbound_buffer_peak_bytes');
    // The bound was reached (else this test proves nothing), and never passed by more than a frame.
    expect(peak).toBeGreaterThan(bound / 2);
    expect(peak).toBeLessThanOrEqual(bound + frame + 64);
    expect(replayed).toBeLessThan(5 * STORM_SEQS);

    for (const client of storm) client.socket.resume();
    await Promise.all(storm.map((client) => client.waitUntil(() => answers(client).length === 8, 60_000)));
    for (const client of storm) expectEachSeqOnce(client.events(), STORM_SEQS);
    expect(await metric(server, 'agentwire_outbound_buffer_peak_bytes')).toBeLessThanOrEqual(bound + frame + 64);
    expect(await metric(server, 'agentwire_slow_consumer_closes_total')).toBe(0);
    await Promise.all(storm.map((client) => client.close()));
  }, 120_000);

  it("does not stall a bystander: its run completes while the storm's replay is still being written", async () => {
    // The default bound (8 MiB) holds each storm connection's whole replay, so only the pages
    // per turn keep the storm from running to its end in one go.
    const server = await serve({ transport: { replayPageEvents: 64 }, retention: { maxEventsPerUser: 50_000 } });
    const epoch = await history(server, 'storm-erin', STORM_EVENTS);
    const token = await signToken('storm-erin');
    const storm = await Promise.all(range(1, 5).map(() => TestClient.open(server.wsUrl, token)));
    const bystander = await TestClient.open(server.wsUrl, await signToken('storm-frank'));
    for (const client of storm) client.socket.pause();
    const replayedBefore = await metric(server, 'agentwire_events_replayed_total');

    await Promise.all(storm.map((client) => sendInOneWrite(client.socket, resumes(8, 0, epoch))));
    const { runId } = await bystander.submit(streamInput(20), { agent: 'stream' });
    await bystander.terminalOf(runId, 60_000);
    const replayedWhenBystanderDone = (await metric(server, 'agentwire_events_replayed_total')) - replayedBefore;
    expect(seqs(bystander.events())).toEqual(range(1, 22));
    expect(replayedWhenBystanderDone).toBeLessThan(5 * STORM_SEQS);

    for (const client of storm) client.socket.resume();
    await Promise.all(storm.map((client) => client.waitUntil(() => answers(client).length === 8, 60_000)));
    for (const client of storm) expectEachSeqOnce(client.events(), STORM_SEQS);
    // The replay budget is the setting: pages of 64 events, one resume's replay per connection.
    expect(await metric(server, 'agentwire_catch_up_pages_total', '{reason="backfill"}')).toBeGreaterThanOrEqual(5 * Math.ceil(STORM_SEQS / 64));
    await Promise.all([...storm, bystander].map((client) => client.close()));
  }, 120_000);
});

/** A memory store whose append of one chosen event resolves late, as a slower append would. */
class LateAppendStore extends MemoryEventStore {
  constructor(readonly late: (draft: EventDraft) => boolean) {
    super({});
  }

  override async append(draft: EventDraft): Promise<StoredEvent> {
    const event = await super.append(draft);
    if (this.late(draft)) await new Promise((resolve) => setTimeout(resolve, 150));
    return event;
  }
}

describe('a live event past a seq gap', () => {
  it('is not written past the gap: the connection catches up from the store, in seq order, each once', async () => {
    // The 2nd delta of the user's run is stored (seq 3) but published after the ones behind it.
    const store = new LateAppendStore((draft) => draft.userId === 'gap-gina' && draft.type === 'agent_message_delta' && JSON.stringify(draft.data).includes('#000002'));
    const server = await serve({ store });
    const client = await TestClient.open(server.wsUrl, await signToken('gap-gina'));
    const { runId } = await client.submit(streamInput(30), { agent: 'stream' });
    await client.terminalOf(runId);
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    expect(seqs(client.events())).toEqual(range(1, 32));
    // The branch was taken: the connection read the store because of a gap.
    expect(await metric(server, 'agentwire_catch_up_pages_total', '{reason="gap"}')).toBeGreaterThanOrEqual(1);
  });
});

/** A memory store whose retention, for one user, drops seqs up to 120 once a replay has begun. */
class PruningStore extends MemoryEventStore {
  override readAfter(userId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    if (userId === 'prune-hana' && afterSeq > 0 && afterSeq < 120) return super.readAfter(userId, 120, limit);
    return super.readAfter(userId, afterSeq, limit);
  }
}

describe('retention during an in-band replay', () => {
  it('ends the replay with recovered: false when the rest was dropped meanwhile, and the stream goes on', async () => {
    const server = await serve({ store: new PruningStore({}), transport: { replayPageEvents: 8 } });
    const epoch = await history(server, 'prune-hana', 118);
    const client = await TestClient.open(server.wsUrl, await signToken('prune-hana'));
    const { runId } = await client.submit(streamInput(8), { agent: 'stream' });
    await client.terminalOf(runId);
    client.send({ type: 'resume', lastSeq: 0, epoch });
    // Pages after the first find only seqs past the replayed range: the replay must end there.
    expect(await client.waitFor((f) => f.type === 'resumed')).toEqual({ type: 'resumed', fromSeq: 1, toSeq: 120, recovered: false });
    expect(seqs(client.events())).toEqual([...range(121, 130), ...range(1, 8)]);
    const next = await client.submit(streamInput(1), { agent: 'stream' });
    await client.terminalOf(next.runId);
    expect(seqs(client.events()).slice(-3)).toEqual([131, 132, 133]);
    await client.close();
  });
});
