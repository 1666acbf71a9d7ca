/**
 * The SDK against a real server, with the wire between them under the test's control
 * (FaultController). Every case checks what the application received: each seq once, in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { AgentwireClient, type AgentEvent, type ClientState, type WebSocketConstructor } from 'agentwire/client';
import type { AgentwireServer } from 'agentwire/server';
import { FaultController } from '../helpers/fault-socket.js';
import { startTestServer, streamInput } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { range } from '../helpers/ws-client.js';

let server: AgentwireServer;
const clients: AgentwireClient[] = [];
beforeAll(async () => {
  server = await startTestServer({ retention: { maxEventsPerUser: 200 } });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server.close();
});

interface Recorder {
  client: AgentwireClient;
  events: AgentEvent[];
  states: ClientState[];
  controller: FaultController;
}

async function connect(user: string, options: { controller?: FaultController; token?: () => Promise<string>; url?: string } = {}): Promise<Recorder> {
  const controller = options.controller ?? new FaultController();
  const token = options.token ?? (() => signToken(user));
  const client = new AgentwireClient({ url: options.url ?? server.wsUrl, token, WebSocket: controller.WebSocket(), backoff: { initialDelayMs: 20, maxDelayMs: 200 }, ackIntervalMs: 50 });
  clients.push(client);
  const recorder: Recorder = { client, events: [], states: [], controller };
  client.on('event', (e) => recorder.events.push(e));
  client.on('state', (s) => recorder.states.push(s.to));
  await client.connect();
  return recorder;
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectExactlyOnceInOrder(events: AgentEvent[], from: number, to: number): void {
  expect(events.map((e) => e.seq)).toEqual(range(from, to));
}

describe('AgentwireClient against a real server', () => {
  it('connects, sends, and iterates a run with for-await to its terminal event', async () => {
    const r = await connect('sdk-alice');
    expect(r.states).toEqual(['connecting', 'connected']);
    const { runId, threadId } = await r.client.send('What is 17 * 23?');
    const types: string[] = [];
    for await (const event of r.client.run(runId)) types.push(event.type);
    expect(types[0]).toBe('agent_started');
    expect(types[types.length - 1]).toBe('agent_completed');
    expect(types).toContain('tool_completed');
    const answer = r.client.run(runId).events.filter((e) => e.type === 'agent_message_delta').map((e) => (e.data).delta).join('');
    expect(answer).toContain('391');
    expect(r.client.run(runId).events.every((e) => e.threadId === threadId)).toBe(true);
  });

  it('drop mid-run: reconnects, resumes, and the application gets every event once, in order', async () => {
    const r = await connect('sdk-bob');
    const resumed: { recovered: boolean }[] = [];
    r.client.on('resumed', (e) => resumed.push(e));
    const { runId } = await r.client.send(streamInput(80, 5), { agent: 'stream' });
    await until(() => r.events.length >= 15);
    r.controller.cut();
    const terminal = await r.client.run(runId).done;
    expect(terminal.type).toBe('agent_completed');
    expectExactlyOnceInOrder(r.events, 1, 82);
    expect(r.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(resumed[0]).toMatchObject({ recovered: true });
  });

  it('drop during replay: a second cut while catching up still ends with every event once', async () => {
    const r = await connect('sdk-carol');
    const { runId } = await r.client.send(streamInput(150, 2), { agent: 'stream' });
    await until(() => r.events.length >= 5);
    r.controller.offline = true;
    r.controller.cut();
    await new Promise((res) => setTimeout(res, 500));
    // Back online: the next connection replays; cut it after a few replayed frames.
    let replayedOnThis = 0;
    r.controller.inbound = (frame, socket) => {
      if (frame.seq !== undefined && socket === r.controller.current && ++replayedOnThis === 10) setTimeout(() => socket.cut(), 0);
      return 'pass';
    };
    r.controller.offline = false;
    await r.client.run(runId).done;
    expectExactlyOnceInOrder(r.events, 1, 152);
    expect(r.controller.sockets.length).toBeGreaterThanOrEqual(3);
  });

  it('duplicate frames are handed to the application once', async () => {
    const r = await connect('sdk-dave');
    r.controller.inbound = (frame) => (frame.seq !== undefined ? 'duplicate' : 'pass');
    const { runId } = await r.client.send(streamInput(30), { agent: 'stream' });
    await r.client.run(runId).done;
    await new Promise((res) => setTimeout(res, 50));
    expectExactlyOnceInOrder(r.events, 1, 32);
    expect(r.client.run(runId).events).toHaveLength(32);
  });

  it('a gap (a frame lost on the way) triggers a resume, never a silent skip', async () => {
    const r = await connect('sdk-erin');
    r.controller.inbound = (frame, socket) => (frame.seq === 7 && socket.index === 0 ? 'drop' : 'pass');
    const { runId } = await r.client.send(streamInput(20, 5), { agent: 'stream' });
    await r.client.run(runId).done;
    expectExactlyOnceInOrder(r.events, 1, 22);
    const sent = r.controller.sockets.length;
    expect(sent).toBeGreaterThanOrEqual(2);
  });

  it('late callbacks of a stale socket change nothing', async () => {
    const r = await connect('sdk-frank');
    const { runId } = await r.client.send(streamInput(10, 20), { agent: 'stream' });
    await until(() => r.events.length >= 3);
    const stale = r.controller.current!;
    const firstFrames = [...r.controller.arrived[0]!];
    stale.cut();
    await r.client.run(runId).done;
    const before = r.events.length;
    const statesBefore = [...r.states];
    // The old socket "wakes up" and delivers frames and a close after the new one took over.
    for (const raw of firstFrames) stale.deliverLate(raw);
    stale.onclose?.({ code: 1006, reason: 'late' });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.events.length).toBe(before);
    expect(r.states).toEqual(statesBefore);
    expect(r.client.state).toBe('connected');
    expectExactlyOnceInOrder(r.events, 1, 12);
  });

  it('a send made while offline is kept and sent after reconnect, starting exactly one run', async () => {
    const r = await connect('sdk-gina');
    r.controller.offline = true;
    r.controller.cut();
    await until(() => r.client.state === 'reconnecting');
    const sending = r.client.send(streamInput(3), { agent: 'stream' });
    await new Promise((res) => setTimeout(res, 300));
    r.controller.offline = false;
    const { runId } = await sending;
    await r.client.run(runId).done;
    expectExactlyOnceInOrder(r.events, 1, 5);
    expect(new Set(r.events.map((e) => e.runId))).toEqual(new Set([runId]));
  });

  it('a send whose answer was lost is retried with the same clientMessageId and never starts two runs', async () => {
    const r = await connect('sdk-henry');
    let dropped = false;
    r.controller.inbound = (frame, socket) => {
      if (frame.type === 'run_accepted' && !dropped) {
        dropped = true;
        setTimeout(() => socket.cut(), 0);
        return 'drop';
      }
      return 'pass';
    };
    const { runId } = await r.client.send(streamInput(5, 10), { agent: 'stream' });
    await r.client.run(runId).done;
    await new Promise((res) => setTimeout(res, 200));
    expect(dropped).toBe(true);
    expect(r.events.filter((e) => e.type === 'agent_started')).toHaveLength(1);
    expect(new Set(r.events.map((e) => e.runId)).size).toBe(1);
    const threads = await r.client.threads();
    expect(threads).toHaveLength(1);
  });

  it('reconnectNow() skips a long backoff delay', async () => {
    const controller = new FaultController();
    const client = new AgentwireClient({ url: server.wsUrl, token: () => signToken('sdk-now'), WebSocket: controller.WebSocket(), backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    clients.push(client);
    await client.connect();
    let scheduled = 0;
    client.on('reconnecting', (e) => (scheduled = e.delayMs));
    // Full jitter draws from [0, 60 s): pin the draw high so only reconnectNow() can be quick.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    controller.offline = true;
    controller.cut();
    await until(() => client.state === 'reconnecting');
    random.mockRestore();
    expect(scheduled).toBeGreaterThan(50_000);
    controller.offline = false;
    const started = Date.now();
    client.reconnectNow();
    await until(() => client.state === 'connected', 5000);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cancel(runId) resolves when the run ends with agent_error "cancelled"', async () => {
    const r = await connect('sdk-iris');
    const { runId } = await r.client.send(streamInput(1000, 20), { agent: 'stream' });
    await until(() => r.events.length >= 3);
    await r.client.cancel(runId);
    expect(r.client.run(runId).terminal).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
  });

  it('token expiry: the provider is asked again after 4401, and the stream resumes with nothing lost', async () => {
    let calls = 0;
    const r = await connect('sdk-jack', {
      token: () => {
        calls += 1;
        return signToken('sdk-jack', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
      },
    });
    const { runId } = await r.client.send(streamInput(60, 50), { agent: 'stream' });
    await r.client.run(runId).done;
    expectExactlyOnceInOrder(r.events, 1, 62);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(r.states).toContain('reconnecting');
  }, 20_000);

  it('a static token rejected with 4401 closes the client instead of retrying forever', async () => {
    const client = new AgentwireClient({ url: server.wsUrl, token: 'not-a-token', WebSocket: WebSocket as unknown as WebSocketConstructor });
    clients.push(client);
    await expect(client.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(client.state).toBe('closed');
  });

  it('past retention it says so (unrecovered) and the history API rebuilds the thread', async () => {
    const r = await connect('sdk-kate');
    const unrecovered: unknown[] = [];
    r.client.on('unrecovered', (e) => unrecovered.push(e));
    const first = await r.client.send(streamInput(2), { agent: 'stream' });
    await r.client.run(first.runId).done;
    r.controller.offline = true;
    r.controller.cut();
    // While offline, another tab of the same user runs 250 events: more than the retention of 200.
    const other = await connect('sdk-kate');
    const big = await other.client.send(streamInput(250), { agent: 'stream', threadId: first.threadId });
    await other.client.run(big.runId).done;
    r.controller.offline = false;
    await until(() => unrecovered.length > 0);
    expect(unrecovered[0]).toMatchObject({ fromSeq: 5, epochChanged: false });
    const history = await r.client.history(first.threadId, { all: true });
    expect(history.events.length).toBe(200);
    expect(history.events[history.events.length - 1]!.type).toBe('agent_completed');
    expect(r.client.position?.lastSeq).toBe(256);
  });
});

describe('epoch change', () => {
  it('a server that lost its store (new epoch) is reported as unrecovered, and new events flow', async () => {
    const first = await startTestServer();
    const port = first.port;
    const r = await connect('sdk-epoch', { url: first.wsUrl });
    const run1 = await r.client.send(streamInput(3), { agent: 'stream' });
    await r.client.run(run1.runId).done;
    const oldEpoch = r.client.position!.epoch;
    const unrecovered: { epochChanged: boolean }[] = [];
    r.client.on('unrecovered', (e) => unrecovered.push(e));
    await first.close();
    const second = await startTestServer({ port });
    try {
      await until(() => unrecovered.length > 0 && r.client.state === 'connected');
      expect(unrecovered[0]).toMatchObject({ epochChanged: true });
      expect(r.client.position!.epoch).not.toBe(oldEpoch);
      const run2 = await r.client.send(streamInput(2), { agent: 'stream' });
      await r.client.run(run2.runId).done;
      expect(r.client.run(run2.runId).events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    } finally {
      r.client.close();
      await second.close();
    }
  });
});
