import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { defineRemoteAgent, type AgentEvent } from 'agentwire';
import { loadRemoteAgents, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient, range, seqs } from '../helpers/ws-client.js';
import { FakeWorker, ndjson, pause } from './fake-worker.js';

let worker: FakeWorker;
let server: AgentwireServer;
let deadPort: number;

beforeAll(async () => {
  worker = await FakeWorker.start();
  deadPort = await freePort();
  server = await startTestServer({
    agents: [
      defineRemoteAgent({ name: 'remote', url: worker.url, headers: { authorization: 'Bearer worker-secret' }, maxLineBytes: 4096 }),
      defineRemoteAgent({ name: 'nowhere', url: `http://127.0.0.1:${deadPort}/run` }),
    ],
    engine: { heartbeatTimeoutMs: 400 },
  });
});
afterAll(async () => {
  await server.close();
  await worker.close();
});

async function runOn(user: string, text: string, agent = 'remote', threadId?: string): Promise<{ client: TestClient; events: AgentEvent[]; terminal: AgentEvent; runId: string; threadId: string }> {
  const client = await TestClient.open(server.wsUrl, await signToken(user));
  const run = await client.submit(text, { agent, ...(threadId ? { threadId } : {}) });
  const terminal = await client.terminalOf(run.runId);
  await pause(50);
  return { client, events: client.runEvents(run.runId), terminal, ...run };
}

function terminals(events: AgentEvent[]): AgentEvent[] {
  return events.filter((e) => e.type === 'agent_completed' || e.type === 'agent_error' || e.type === 'agent_death');
}

describe('remote agents over HTTP', () => {
  it('streams an NDJSON worker run with tool calls, gapless, one terminal, and sends the run request', async () => {
    worker.on('hello', (res) => {
      const send = ndjson(res);
      send({ type: 'agent_thinking', data: { reasoning: 'looking it up' } });
      send({ type: 'tool_executing', data: { toolName: 'lookup', toolCallId: 't1', args: { q: 'x' } } });
      send({ type: 'tool_completed', data: { toolName: 'lookup', toolCallId: 't1', status: 'success', result: 42, durationMs: 3 } });
      res.write('\n');
      send({ type: 'agent_message_delta', data: { delta: 'The answer ' } });
      send({ type: 'agent_message_delta', data: { delta: 'is 42.' } });
      send({ type: 'agent_completed', data: { result: { answer: 42 } } });
      res.end();
    });
    const { client, events, terminal, runId, threadId } = await runOn('remote-alice', 'hello');
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(seqs(events)).toEqual(range(1, events.length));
    expect(terminal.data).toMatchObject({ result: { answer: 42 } });
    expect(events[3]?.data).toMatchObject({ toolName: 'lookup', toolCallId: 't1', status: 'success', result: 42 });
    for (const event of events) expect(event).toMatchObject({ userId: 'remote-alice', runId, threadId, agentName: 'remote' });
    const request = worker.runs.at(-1);
    expect(request?.body).toMatchObject({ v: 1, runId, threadId, userId: 'remote-alice', input: 'hello', history: [] });
    expect(Date.parse(String(request?.body.deadline))).toBeGreaterThan(Date.now());
    expect(request?.headers.authorization).toBe('Bearer worker-secret');
    expect(request?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    // A second run on the thread carries the first as history.
    worker.on('again', (res) => {
      ndjson(res)({ type: 'agent_completed', data: {} });
      res.end();
    });
    await client.close();
    const second = await runOn('remote-alice', 'again', 'remote', threadId);
    expect(worker.runs.at(-1)?.body.history).toEqual([
      { role: 'user', text: 'hello', runId },
      { role: 'assistant', text: 'The answer is 42.', runId },
    ]);
    expect(second.terminal.type).toBe('agent_completed');
    await second.client.close();
  });

  it('reads agentwire events from SSE (event names), with comment keep-alives', async () => {
    worker.on('sse please', (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hi\n\n');
      res.write('event: agent_message_delta\ndata: {"delta":"over "}\n\n');
      res.write('data: {"type":"agent_message_delta","data":{"delta":"SSE"}}\n\n');
      res.write('event: agent_completed\ndata: {"result":"ok"}\n\n');
      res.end();
    });
    const { client, events, terminal } = await runOn('remote-bob', 'sse please');
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    expect(events.filter((e) => e.type === 'agent_message_delta').map((e) => e.data.delta).join('')).toBe('over SSE');
    expect(terminal.data).toMatchObject({ result: 'ok' });
    await client.close();
  });

  it('ends with agent_error worker_http_error when the worker answers 500', async () => {
    worker.on('boom', (res) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('database down');
    });
    const { client, terminal, events } = await runOn('remote-carol', 'boom');
    expect(terminal).toMatchObject({ type: 'agent_error', data: { code: 'worker_http_error' } });
    expect(terminal.type === 'agent_error' && terminal.data.message).toContain('500');
    expect(terminals(events)).toHaveLength(1);
    await client.close();
  });

  it('ends with agent_error worker_unreachable when the connection is refused', async () => {
    const { client, terminal } = await runOn('remote-dave', 'anyone?', 'nowhere');
    expect(terminal).toMatchObject({ type: 'agent_error', data: { code: 'worker_unreachable' } });
    await client.close();
  });

  it('refuses a malformed event with worker_protocol_error and never delivers it or anything after', async () => {
    worker.on('garbage', (res) => {
      const send = ndjson(res);
      send({ type: 'agent_message_delta', data: { delta: 'fine so far' } });
      res.write('{"type":"agent_message_delta","data":{"delta":"not json\n');
      send({ type: 'agent_message_delta', data: { delta: 'never shown' } });
      send({ type: 'agent_completed', data: {} });
      res.end();
    });
    worker.on('wrong payload', (res) => {
      ndjson(res)({ type: 'tool_completed', data: { toolName: 'x', toolCallId: 'y', status: 'exploded', durationMs: 1 } });
      res.end();
    });
    worker.on('impostor', (res) => {
      ndjson(res)({ type: 'agent_death', data: { cause: 'node_lost', message: 'not yours to say' } });
      res.end();
    });
    const bad = await runOn('remote-erin', 'garbage');
    expect(bad.events.map((e) => e.type)).toEqual(['agent_started', 'agent_message_delta', 'agent_error']);
    expect(bad.terminal.data).toMatchObject({ code: 'worker_protocol_error' });
    expect(JSON.stringify(bad.client.events())).not.toContain('never shown');
    for (const input of ['wrong payload', 'impostor']) {
      const run = await runOn('remote-erin', input);
      expect(run.events.map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
      expect(run.terminal.data).toMatchObject({ code: 'worker_protocol_error' });
      await run.client.close();
    }
    await bad.client.close();
  });

  it('refuses a line over maxLineBytes with worker_event_too_large', async () => {
    worker.on('too big', (res) => {
      ndjson(res)({ type: 'agent_message_delta', data: { delta: 'x'.repeat(5000) } });
      res.end();
    });
    const { client, events, terminal } = await runOn('remote-frank', 'too big');
    expect(terminal.data).toMatchObject({ code: 'worker_event_too_large' });
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
    await client.close();
  });

  it('ends with agent_death worker_lost when the response is cut mid-run', async () => {
    worker.on('cut', async (res) => {
      ndjson(res)({ type: 'agent_message_delta', data: { delta: 'half' } });
      await pause(30);
      res.socket?.destroy();
    });
    const { client, terminal, events } = await runOn('remote-gina', 'cut');
    expect(terminal).toMatchObject({ type: 'agent_death', data: { cause: 'worker_lost' } });
    expect(terminals(events)).toHaveLength(1);
    await client.close();
  });

  it('ends with agent_death worker_lost when the worker ends the response cleanly without a terminal event', async () => {
    worker.on('forgot', (res) => {
      ndjson(res)({ type: 'agent_message_delta', data: { delta: 'bye' } });
      res.end();
    });
    const { client, terminal } = await runOn('remote-gina', 'forgot');
    expect(terminal).toMatchObject({ type: 'agent_death', data: { cause: 'worker_lost' } });
    await client.close();
  });

  it('ends a silent worker with agent_death no_heartbeat and closes its request; keep-alives keep a slow one alive', async () => {
    worker.on('silent', (res) => {
      ndjson(res)({ type: 'agent_message_delta', data: { delta: 'then nothing' } });
    });
    worker.on('slow but alive', async (res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; i < 8; i++) {
        await pause(150);
        res.write('{"type":"heartbeat"}\n');
      }
      res.end('{"type":"agent_completed","data":{"result":"patience"}}\n');
    });
    const silent = await runOn('remote-hank', 'silent');
    expect(silent.terminal).toMatchObject({ type: 'agent_death', data: { cause: 'no_heartbeat' } });
    await worker.runs.find((r) => r.body.input === 'silent')?.closed;
    const slow = await runOn('remote-hank', 'slow but alive');
    expect(slow.terminal).toMatchObject({ type: 'agent_completed', data: { result: 'patience' } });
    await silent.client.close();
    await slow.client.close();
  });

  it('cancel aborts the request to the worker', async () => {
    worker.on('long', (res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const beat = setInterval(() => res.write('\n'), 50);
      res.once('close', () => clearInterval(beat));
    });
    const client = await TestClient.open(server.wsUrl, await signToken('remote-ivy'));
    const { runId } = await client.submit('long', { agent: 'remote' });
    await client.waitFor((f) => f.type === 'agent_started' && 'runId' in f && f.runId === runId);
    await client.waitUntil(() => worker.runs.find((r) => r.body.runId === runId));
    client.send({ type: 'cancel', runId });
    expect(await client.terminalOf(runId)).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await worker.runs.find((r) => r.body.runId === runId)?.closed;
    await client.close();
  });
});

describe('remote agents from a configuration file', () => {
  it('loads agents, expands ${VAR} in headers, and refuses a bad file with the variable name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-remote-'));
    const good = join(dir, 'agents.json');
    writeFileSync(good, JSON.stringify({ agents: [{ name: 'py', url: 'http://127.0.0.1:9/run', headers: { authorization: 'Bearer ${WORKER_TOKEN}' } }] }));
    expect(loadRemoteAgents(good, { WORKER_TOKEN: 't' }).map((a) => a.name)).toEqual(['py']);
    expect(() => loadRemoteAgents(good, {})).toThrow(/WORKER_TOKEN/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'py', url: 'ftp://x' }]));
    expect(() => loadRemoteAgents(bad, {})).toThrow(/http or https/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
