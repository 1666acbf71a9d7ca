/**
 * The Python module end to end: a real python3 process serving a remote agent, and another
 * publishing to a run, driven from the real client (agentwire/client). Skipped loudly without
 * python3; AGENTWIRE_REQUIRE_SERVICES=1 makes that a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentwireClient, type AgentEvent, type WebSocketConstructor } from 'agentwire/client';
import { defineRemoteAgent } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { range, seqs } from '../helpers/ws-client.js';

const PY_DIR = fileURLToPath(new URL('./py/', import.meta.url));
const SERVICE_SECRET = 'python-service-secret-at-least-32-bytes!!';
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

interface Worker {
  url: string;
  process: ChildProcess;
  log: () => string;
}

async function startWorker(format: 'ndjson' | 'sse'): Promise<Worker> {
  const child = spawn('python3', ['-u', `${PY_DIR}worker_fixture.py`, format], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(`${match[1]}/run`);
    });
    child.once('exit', (code) => reject(new Error(`python worker exited with ${code}: ${log}`)));
  });
  return { url, process: child, log: () => log };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function connect(server: AgentwireServer, userId: string): Promise<AgentwireClient> {
  const client = new AgentwireClient({ url: server.wsUrl, token: () => signToken(userId), WebSocket: WebSocket as unknown as WebSocketConstructor });
  await client.connect();
  return client;
}

function printRun(label: string, events: readonly AgentEvent[]): void {
  if (process.env.AGENTWIRE_PRINT_RUNS) console.log(`${label}\n${events.map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.data)}`).join('\n')}`);
}

const suite = hasPython ? describe : process.env.AGENTWIRE_REQUIRE_SERVICES === '1' ? describe : describe.skip;
if (!hasPython) console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED "the Python worker": python3 is not available.\n!! AGENTWIRE_REQUIRE_SERVICES=1 turns this into a failure.\n${'!'.repeat(78)}\n`);

suite('the Python worker (python/agentwire_worker.py)', () => {
  let ndjsonWorker: Worker;
  let sseWorker: Worker;
  let killable: Worker;
  let server: AgentwireServer;

  beforeAll(async () => {
    if (!hasPython) throw new Error('python3 is not available and AGENTWIRE_REQUIRE_SERVICES=1');
    [ndjsonWorker, sseWorker, killable] = await Promise.all([startWorker('ndjson'), startWorker('sse'), startWorker('ndjson')]);
    server = await startTestServer({
      agents: [
        defineRemoteAgent({ name: 'py', url: ndjsonWorker.url }),
        defineRemoteAgent({ name: 'py-sse', url: sseWorker.url }),
        defineRemoteAgent({ name: 'py-doomed', url: killable.url }),
      ],
      publish: { serviceSecret: SERVICE_SECRET },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all([ndjsonWorker, sseWorker, killable].filter(Boolean).map((w) => stop(w.process)));
  });

  it('golden path: thinking, a tool call, the answer, completed — gapless from seq 1, in both formats', async () => {
    const client = await connect(server, 'py-alice');
    let nextSeq = 1;
    for (const agent of ['py', 'py-sse']) {
      const { runId } = await client.send('how many words is this', { agent });
      const terminal = await client.run(runId).done;
      const events = client.run(runId).events;
      printRun(`python worker run (${agent})`, events);
      expect(terminal).toMatchObject({ type: 'agent_completed', data: { result: { words: 5 } } });
      expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
      expect(events[3]?.data).toMatchObject({ toolName: 'word_count', status: 'success', result: 5 });
      expect(events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta).join('')).toBe('Your message has 5 words.');
      expect(seqs([...events])).toEqual(range(nextSeq, nextSeq + 6));
      nextSeq += 7;
    }
    client.close();
  });

  it('cancel closes the request, and the Python agent stops', async () => {
    const client = await connect(server, 'py-bob');
    const { runId } = await client.send('slow', { agent: 'py' });
    const view = client.run(runId);
    await new Promise<void>((resolve) => {
      const off = view.subscribe((e) => {
        if (e.type === 'agent_message_delta') {
          off();
          resolve();
        }
      });
    });
    await client.cancel(runId);
    expect(await view.done).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await expect.poll(() => ndjsonWorker.log(), { timeout: 5000 }).toContain(`run ${runId} cancelled`);
    client.close();
  });

  it('a worker killed with SIGKILL mid-run ends the run with agent_death worker_lost', async () => {
    const client = await connect(server, 'py-carol');
    const { runId } = await client.send('slow', { agent: 'py-doomed' });
    const view = client.run(runId);
    await new Promise<void>((resolve) => view.subscribe((e) => e.type === 'agent_message_delta' && resolve()));
    killable.process.kill('SIGKILL');
    expect(await view.done).toMatchObject({ type: 'agent_death', data: { cause: 'worker_lost' } });
    expect(view.events.filter((e) => e.type === 'agent_completed' || e.type === 'agent_error' || e.type === 'agent_death')).toHaveLength(1);
    client.close();
  });

  it('a worker emitting garbage ends with worker_protocol_error; the garbage and what follows are never delivered', async () => {
    const client = await connect(server, 'py-dave');
    const { runId } = await client.send('garbage', { agent: 'py' });
    expect(await client.run(runId).done).toMatchObject({ type: 'agent_error', data: { code: 'worker_protocol_error' } });
    const events = client.run(runId).events;
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_message_delta', 'agent_error']);
    expect(JSON.stringify(events)).not.toContain('never shown');
    client.close();
  });

  it('publishes to a run from Python: a retried batch is applied once, another user\'s run is refused', async () => {
    const other = await connect(server, 'py-victim');
    const victim = await other.send('how many words', { agent: 'py' });
    await other.run(victim.runId).done;
    const client = await connect(server, 'py-erin');
    const child = spawn('python3', ['-u', `${PY_DIR}publish_fixture.py`, server.url, SERVICE_SECRET, 'py-erin', victim.runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    const steps = Object.fromEntries(out.trim().split('\n').map((line) => {
      const { step, value } = JSON.parse(line) as { step: string; value: unknown };
      return [step, value];
    })) as Record<string, { runId?: string; duplicate?: boolean; accepted?: number; status?: number; code?: string }>;
    expect(steps.second).toMatchObject({ producerSeq: 2, duplicate: false });
    expect(steps['second-retry']).toMatchObject({ producerSeq: 2, duplicate: true });
    expect(steps.hijack).toEqual({ status: 403, code: 'FORBIDDEN' });
    const runId = steps.started?.runId ?? '';
    const view = client.run(runId);
    expect(await view.done).toMatchObject({ type: 'agent_completed', data: { result: { rows: 3 } } });
    printRun('python publisher run', view.events);
    expect(view.events.map((e) => e.type)).toEqual(['agent_started', 'progress_update', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(seqs([...view.events])).toEqual(range(1, 5));
    expect(other.run(victim.runId).events.some((e) => JSON.stringify(e.data).includes('hijack'))).toBe(false);
    client.close();
    other.close();
  });
});
