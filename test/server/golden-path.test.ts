import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('the Golden Path', () => {
  it('streams one run as started → thinking → tool_executing → tool_completed → … → completed, gapless, one terminal', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('golden-alice'));
    expect(client.established).toMatchObject({ type: 'connection_established', userId: 'golden-alice', lastSeq: 0, epoch: server.store.epoch });
    const { runId, threadId } = await client.submit('What is 17 * 23?');
    const terminal = await client.terminalOf(runId);
    const events = client.runEvents(runId);
    const types = events.map((e) => e.type);

    expect(types[0]).toBe('agent_started');
    const order = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'].map((t) => types.indexOf(t as never));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(types.filter((t) => t === 'agent_completed' || t === 'agent_error' || t === 'agent_death')).toEqual(['agent_completed']);
    expect(events[events.length - 1]).toBe(terminal);
    expect(seqs(events)).toEqual(range(1, events.length));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    for (const event of events) expect(event).toMatchObject({ v: 1, userId: 'golden-alice', threadId, runId, agentName: 'assistant', epoch: server.store.epoch });

    const call = events.find((e) => e.type === 'tool_executing');
    const done = events.find((e) => e.type === 'tool_completed');
    expect(call?.data).toMatchObject({ toolName: 'calculator' });
    expect(done?.data).toMatchObject({ toolName: 'calculator', status: 'success', toolCallId: (call?.data as { toolCallId: string }).toolCallId });
    expect((done?.data as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(0);
    const answer = events.filter((e) => e.type === 'agent_message_delta').map((e) => (e.data).delta).join('');
    expect(answer).toContain('391');
    expect(terminal.type === 'agent_completed' && JSON.stringify(terminal.data.result)).toContain('391');
    await client.close();
  });

  it('sends run_accepted before any event of the run, and a retried clientMessageId never starts a second run', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('golden-bob'));
    const first = await client.submit('What is 2 + 2?', { clientMessageId: 'same-id' });
    const acceptedAt = client.frames.findIndex((f) => f.type === 'run_accepted');
    const firstEventAt = client.frames.findIndex((f) => 'runId' in f && f.runId === first.runId && 'seq' in f);
    expect(firstEventAt === -1 || firstEventAt > acceptedAt).toBe(true);
    await client.terminalOf(first.runId);
    const again = await client.submit('What is 2 + 2?', { clientMessageId: 'same-id' });
    expect(again).toEqual(first);
    await new Promise((r) => setTimeout(r, 200));
    const runIds = new Set(client.events().map((e) => e.runId));
    expect([...runIds]).toEqual([first.runId]);
    expect(client.events().filter((e) => e.type === 'agent_started')).toHaveLength(1);
    await client.close();
  });

  it('continues a thread the user owns', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('golden-carol'));
    const first = await client.submit('hello');
    await client.terminalOf(first.runId);
    const second = await client.submit('What is 1 + 1?', { threadId: first.threadId });
    expect(second.threadId).toBe(first.threadId);
    expect(second.runId).not.toBe(first.runId);
    await client.terminalOf(second.runId);
    await client.close();
  });

  it('refuses an unknown agent with UNKNOWN_AGENT and an unknown thread with NOT_FOUND, echoing the clientMessageId', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('golden-dave'));
    client.send({ type: 'user_message', text: 'hi', agent: 'nope', clientMessageId: 'c1' });
    client.send({ type: 'user_message', text: 'hi', threadId: `thr_${'x'.repeat(22)}`, clientMessageId: 'c2' });
    expect(await client.waitFor((f) => f.type === 'error' && f.clientMessageId === 'c1')).toMatchObject({ code: 'UNKNOWN_AGENT' });
    expect(await client.waitFor((f) => f.type === 'error' && f.clientMessageId === 'c2')).toMatchObject({ code: 'NOT_FOUND' });
    await client.close();
  });

  it('answers ping with pong', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('golden-erin'));
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
    await client.close();
  });
});
