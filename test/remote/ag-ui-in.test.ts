/**
 * AG-UI in, against a real AG-UI server: a second agentwire process's own POST /api/ag-ui,
 * registered as a remote agent of this one. The run reaches the user's WebSocket here with
 * seqs, survives a reconnect and lands in the thread's history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRemoteAgent, type AgentEvent, type Resumed } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer, streamInput } from '../helpers/server.js';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let upstream: ChildServer;
let server: AgentwireServer;

beforeAll(async () => {
  upstream = await spawnServer({ AGENTWIRE_STORE: 'memory' });
  // The upstream knows this server as one user of its own ("relay"), by a token it signed.
  const headers = { authorization: `Bearer ${await signToken('relay')}` };
  server = await startTestServer({
    agents: [
      defineRemoteAgent({ name: 'agui-assistant', url: `${upstream.url}/api/ag-ui`, headers }),
      defineRemoteAgent({ name: 'agui-stream', url: `${upstream.url}/api/ag-ui/stream`, headers }),
    ],
  });
}, 30_000);
afterAll(async () => {
  await server?.close();
  await upstream?.kill('SIGTERM');
});

describe('AG-UI in: an AG-UI server as a remote agent', () => {
  it('streams the upstream assistant (tool call, answer) to the WebSocket with seqs and into history', async () => {
    const token = await signToken('agui-alice');
    const client = await TestClient.open(server.wsUrl, token);
    const { runId, threadId } = await client.submit('What is 17 * 23?', { agent: 'agui-assistant' });
    const terminal = await client.terminalOf(runId, 20_000);
    const events = client.runEvents(runId);
    expect(terminal.type).toBe('agent_completed');
    expect(seqs(events)).toEqual(range(1, events.length));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('agent_started');
    expect(types).toContain('tool_executing');
    expect(types.indexOf('tool_completed')).toBeGreaterThan(types.indexOf('tool_executing'));
    expect(events.find((e) => e.type === 'tool_executing')?.data).toMatchObject({ toolName: 'calculator' });
    expect(events.find((e) => e.type === 'tool_completed')?.data).toMatchObject({ toolName: 'calculator', status: 'success' });
    const answer = events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta).join('');
    expect(answer).toContain('391');
    for (const event of events) expect(event).toMatchObject({ userId: 'agui-alice', runId, threadId, agentName: 'agui-assistant' });
    if (process.env.AGENTWIRE_PRINT_RUNS) console.log(events.map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.data)}`).join('\n'));

    const history = await fetch(`${server.url}/api/threads/${threadId}/events`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await history.json()) as { events: AgentEvent[] };
    expect(body.events.map((e) => e.seq)).toEqual(seqs(events));
    expect(body.events.map((e) => e.type)).toEqual(types);
    await client.close();
  });

  it('survives a reconnect mid-run: the resumed connection gets the rest, nothing lost, nothing twice', async () => {
    const token = await signToken('agui-bob');
    const first = await TestClient.open(server.wsUrl, token);
    const { runId } = await first.submit(streamInput(40, 20), { agent: 'agui-stream' });
    await first.waitUntil(() => first.events().length >= 5, 20_000);
    first.socket.terminate();
    await first.closed;
    const got = first.events();
    const lastSeq = got[got.length - 1]!.seq;

    const second = await TestClient.open(server.wsUrl, token, { lastSeq, epoch: first.established.epoch });
    const terminal = await second.terminalOf(runId, 20_000);
    expect(terminal.type).toBe('agent_completed');
    expect((await second.waitFor<Resumed>((f) => f.type === 'resumed')).recovered).toBe(true);
    const all = [...got, ...second.events()];
    expect(seqs(all)).toEqual(range(1, all.length));
    expect(all.filter((e) => e.type === 'agent_message_delta').length).toBe(40);
    await second.close();
  });
});
