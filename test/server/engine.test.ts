import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineTool, type AgentEvent } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';

const stopped = new Set<string>();

const sleeper = defineAgent({
  name: 'sleeper',
  description: 'waits politely until aborted',
  async run(input, ctx) {
    try {
      await ctx.thinking('waiting');
      const until = Date.now() + (Number(input.text) || 60_000);
      while (Date.now() < until) {
        ctx.heartbeat();
        await ctx.sleep(Math.min(100, until - Date.now()));
      }
      return 'woke up';
    } finally {
      stopped.add(ctx.runId);
    }
  },
});

const chatterbox = defineAgent({
  name: 'chatterbox',
  description: 'ignores its signal but keeps emitting',
  async run(_input, ctx) {
    try {
      for (;;) {
        await ctx.progress('still here');
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      stopped.add(ctx.runId);
    }
  },
});

const silent = defineAgent({
  name: 'silent',
  description: 'goes quiet without heartbeats',
  async run(_input, ctx) {
    await ctx.thinking('about to go quiet');
    await new Promise((r) => setTimeout(r, 5000));
    return 'done';
  },
});

const thrower = defineAgent({
  name: 'thrower',
  description: 'throws',
  async run(_input, ctx) {
    await ctx.thinking('about to fail');
    throw new Error('kaboom');
  },
});

const tooling = defineAgent({
  name: 'tooling',
  description: 'calls failing and slow tools',
  tools: ['explode', 'slowpoke'],
  async run(_input, ctx) {
    const a = await ctx.tools.call('explode', { n: 1 });
    const b = await ctx.tools.call('slowpoke', {});
    const c = await ctx.tools.call('explode', { n: 'not a number' });
    const d = await ctx.tools.call('missing', {});
    return [a.status, b.status, c.status, d.status];
  },
});

const intruder = defineAgent({
  name: 'intruder',
  description: 'tries to emit into another user\'s stream',
  async run(_input, ctx) {
    const outcomes: string[] = [];
    for (const routing of [{ userId: 'victim' }, { threadId: 'thr_BBBBBBBBBBBBBBBBBBBBBB' }, { runId: 'run_BBBBBBBBBBBBBBBBBBBBBB' }]) {
      try {
        await ctx.emit('progress_update', { message: 'sneaky' }, routing);
        outcomes.push('sent');
      } catch (error) {
        outcomes.push((error as { code?: string }).code ?? 'unknown');
      }
    }
    try {
      await ctx.emit('progress_update', { message: 42 } as never);
    } catch (error) {
      outcomes.push((error as { code?: string }).code ?? 'unknown');
    }
    return outcomes;
  },
});

/** Emits in a loop with nothing else to wait for, counting the turns the event loop made meanwhile. */
const spinner = defineAgent({
  name: 'spinner',
  description: 'emits 2,000 progress updates back to back',
  async run(_input, ctx) {
    let turns = 0;
    let spinning = true;
    const tick = (): void => {
      turns += 1;
      if (spinning) setImmediate(tick);
    };
    setImmediate(tick);
    for (let i = 0; i < 2000; i += 1) await ctx.progress(`step ${i}`);
    spinning = false;
    return { turns };
  },
});

const tools = [
  defineTool({ name: 'explode', description: 'throws', parameters: z.object({ n: z.number() }), execute: () => { throw new Error('tool blew up'); } }),
  defineTool({ name: 'slowpoke', description: 'never finishes in time', parameters: z.object({}), timeoutMs: 100, execute: () => new Promise(() => undefined) }),
];

let server: AgentwireServer;
beforeAll(async () => {
  server = await startTestServer({
    agents: [sleeper, chatterbox, silent, thrower, tooling, intruder, spinner],
    tools,
    engine: { runTimeoutMs: 1500, heartbeatTimeoutMs: 800, maxRunsPerUser: 2, maxQueuedPerUser: 2 },
  });
});
afterAll(async () => {
  await server.close();
});

function terminals(events: AgentEvent[]): AgentEvent[] {
  return events.filter((e) => e.type === 'agent_completed' || e.type === 'agent_error' || e.type === 'agent_death');
}

async function settle(client: TestClient, runId: string, extraMs = 300): Promise<AgentEvent[]> {
  await client.terminalOf(runId);
  await new Promise((r) => setTimeout(r, extraMs));
  return client.runEvents(runId);
}

describe('ExecutionEngine', () => {
  it('ends a run past its timeout with exactly one agent_error "timeout", and the AbortSignal stops the agent', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-alice'));
    const { runId } = await client.submit('60000', { agent: 'sleeper' });
    const events = await settle(client, runId);
    expect(terminals(events)).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_error', data: { code: 'timeout' } });
    expect(stopped.has(runId)).toBe(true);
    await client.close();
  });

  it('a run that ignores its signal is stopped by its closed emitter', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-bob'));
    const { runId } = await client.submit('go', { agent: 'chatterbox' });
    await client.waitUntil(() => client.runEvents(runId).length > 3);
    client.send({ type: 'cancel', runId });
    const events = await settle(client, runId);
    expect(terminals(events)).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await client.waitUntil(() => stopped.has(runId), 2000);
    await client.close();
  });

  it('cancel ends a run with exactly one agent_error "cancelled"; a second cancel changes nothing', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-carol'));
    const { runId } = await client.submit('60000', { agent: 'sleeper' });
    await client.waitUntil(() => client.runEvents(runId).some((e) => e.type === 'agent_thinking'));
    client.send({ type: 'cancel', runId });
    client.send({ type: 'cancel', runId });
    const events = await settle(client, runId);
    expect(terminals(events)).toEqual([events[events.length - 1]]);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await client.close();
  });

  it('an agent that goes silent ends with agent_death "no_heartbeat"', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-dave'));
    const { runId } = await client.submit('x', { agent: 'silent' });
    const events = await settle(client, runId, 5500);
    expect(terminals(events)).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_death', data: { cause: 'no_heartbeat' } });
    await client.close();
  }, 15_000);

  it('an agent emitting in a tight loop lets the event loop turn every 256 emits', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('engine-spinner'));
    const { runId } = await client.submit('x', { agent: 'spinner' });
    const events = await settle(client, runId, 0);
    const completed = events.find((e) => e.type === 'agent_completed');
    // In-process, each emit resolves in a microtask: without the yield the loop would not turn once.
    expect((completed?.data as { result: { turns: number } }).result.turns).toBeGreaterThanOrEqual(Math.floor(2000 / 256) - 1);
    expect(events.filter((e) => e.type === 'progress_update')).toHaveLength(2000);
    await client.close();
  });

  it('an agent exception ends the run with agent_error "agent_exception"', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-erin'));
    const { runId } = await client.submit('x', { agent: 'thrower' });
    const events = await settle(client, runId);
    expect(terminals(events)).toHaveLength(1);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_error', data: { code: 'agent_exception', message: 'kaboom' } });
    await client.close();
  });

  it('reports failing, timed-out, invalid and unknown tool calls as tool_completed errors, never a crash', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-frank'));
    const { runId } = await client.submit('x', { agent: 'tooling' });
    const events = await settle(client, runId);
    const completed = events.filter((e) => e.type === 'tool_completed').map((e) => e.data);
    expect(completed.map((d) => (d as { status: string }).status)).toEqual(['error', 'timeout', 'error', 'error']);
    expect(completed[0]).toMatchObject({ toolName: 'explode', error: 'tool blew up' });
    expect((completed[1] as { durationMs: number }).durationMs).toBeGreaterThanOrEqual(90);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_completed', data: { result: ['error', 'timeout', 'error', 'error'] } });
    expect(events.filter((e) => e.type === 'tool_executing')).toHaveLength(4);
    await client.close();
  });

  it('queues runs past the per-user limit with a progress_update, and refuses past the queue with TOO_MANY_RUNS', async () => {
    const client = await TestClient.open(server.wsUrl, await signToken('eng-gina'));
    const running = [await client.submit('60000', { agent: 'sleeper' }), await client.submit('60000', { agent: 'sleeper' })];
    const queued = [await client.submit('10', { agent: 'sleeper' }), await client.submit('10', { agent: 'sleeper' })];
    client.send({ type: 'user_message', text: '10', agent: 'sleeper', clientMessageId: 'one-too-many' });
    expect(await client.waitFor((f) => f.type === 'error' && f.clientMessageId === 'one-too-many')).toMatchObject({ code: 'TOO_MANY_RUNS' });
    const waiting = await client.waitFor<AgentEvent>((f) => 'runId' in f && f.runId === queued[0]!.runId && 'seq' in f);
    expect(waiting).toMatchObject({ type: 'progress_update' });
    expect(client.runEvents(queued[0]!.runId).some((e) => e.type === 'agent_started')).toBe(false);
    for (const run of running) client.send({ type: 'cancel', runId: run.runId });
    for (const run of queued) expect((await client.terminalOf(run.runId)).type).toBe('agent_completed');
    const q = client.runEvents(queued[0]!.runId).map((e) => e.type);
    expect(q.indexOf('progress_update')).toBeLessThan(q.indexOf('agent_started'));
    await client.close();
  });

  it('refuses events naming another user, thread or run, and invalid payloads; counts the violations; never sends them', async () => {
    const victim = await TestClient.open(server.wsUrl, await signToken('victim'));
    const client = await TestClient.open(server.wsUrl, await signToken('eng-henry'));
    const { runId } = await client.submit('x', { agent: 'intruder' });
    const events = await settle(client, runId);
    expect(events[events.length - 1]).toMatchObject({ type: 'agent_completed', data: { result: ['ISOLATION_VIOLATION', 'ISOLATION_VIOLATION', 'ISOLATION_VIOLATION', 'INVALID_EVENT'] } });
    expect(events.some((e) => e.type === 'progress_update')).toBe(false);
    expect(victim.events()).toEqual([]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/agentwire_isolation_violations_total 3/);
    await Promise.all([victim.close(), client.close()]);
  });
});
