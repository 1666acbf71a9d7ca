/**
 * Tracing end to end: a real agentwire server exporting over OTLP/HTTP JSON to an in-test
 * receiver, a model agent (scripted OpenAI-compatible server) making a tool call, and a real
 * python3 worker that continues the trace from the run request's traceparent. The assertions
 * are on the spans the receiver got. Skipped loudly without python3 (AGENTWIRE_REQUIRE_SERVICES=1
 * makes that a failure).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRemoteAgent } from 'agentwire';
import { calculatorTool, loadConfig, type AgentwireServer } from 'agentwire/server';
import { defineModelAgent, openAICompatibleModel } from 'agentwire/ai';
import { FakeOpenAI, answer, sse } from '../ai/fake-openai.js';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const WORKER = fileURLToPath(new URL('../remote/py/worker_fixture.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const suite = hasPython || process.env.AGENTWIRE_REQUIRE_SERVICES === '1' ? describe : describe.skip;
if (!hasPython) console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED "tracing over OTLP": python3 is not available.\n!! AGENTWIRE_REQUIRE_SERVICES=1 turns this into a failure.\n${'!'.repeat(78)}\n`);

async function startWorker(otlpUrl: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn('python3', ['-u', WORKER, 'ndjson'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, AGENTWIRE_OTLP_ENDPOINT: otlpUrl, OTEL_SERVICE_NAME: 'py-worker' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(`${match[1]}/run`);
    });
    child.once('exit', (code) => reject(new Error(`python worker exited with ${code}`)));
  });
  return { url, process: child };
}

suite('tracing over OTLP/HTTP JSON', () => {
  let receiver: OtlpReceiver;
  let fake: FakeOpenAI;
  let worker: { url: string; process: ChildProcess };
  let server: AgentwireServer;
  let client: TestClient;

  beforeAll(async () => {
    if (!hasPython) throw new Error('python3 is not available and AGENTWIRE_REQUIRE_SERVICES=1');
    receiver = await OtlpReceiver.start();
    fake = await FakeOpenAI.start(() => answer(['unscripted']));
    worker = await startWorker(receiver.url);
    server = await startTestServer({
      agents: [
        defineModelAgent({ name: 'model', model: openAICompatibleModel({ baseUrl: fake.baseUrl, model: 'fake-model', apiKey: 'sk-test' }), tools: [calculatorTool], maxRetries: 0 }),
        defineRemoteAgent({ name: 'py', url: worker.url }),
      ],
      tracing: { url: receiver.url, flushIntervalMs: 20 },
    });
    client = await TestClient.open(server.wsUrl, await signToken('trace-alice'));
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await server?.close();
    if (worker && worker.process.exitCode === null) worker.process.kill('SIGKILL');
    await fake?.close();
    await receiver?.close();
  });

  const spansOf = (traceId: string): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);
  const runSpan = (runId: string): ReceivedSpan | undefined => receiver.spans.find((s) => s.attributes['agentwire.run.id'] === runId && s.service === 'agentwire');

  it('a model run with a tool call: invoke_agent above two chat spans and an execute_tool span, with GenAI attributes', async () => {
    fake.script((_body, index) =>
      index === 0
        ? { kind: 'stream', steps: [sse.role(), ...sse.toolCall(0, 'call_t1', 'calculator', '{"expression": "6 * 7"}'), sse.finish('tool_calls'), sse.usage(40, 12), sse.done()] }
        : answer(['42'], { usage: [70, 8] }),
    );
    const { runId, threadId } = await client.submit('What is 6 * 7?', { agent: 'model' });
    expect(await client.terminalOf(runId)).toMatchObject({ type: 'agent_completed' });
    await expect.poll(() => runSpan(runId), { timeout: 10_000 }).toBeDefined();
    const run = runSpan(runId) as ReceivedSpan;
    await expect.poll(() => spansOf(run.traceId).length, { timeout: 10_000 }).toBe(4);
    expect(run).toMatchObject({ name: 'invoke_agent model', parentSpanId: undefined, status: { code: 1 } });
    expect(run.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'model', 'gen_ai.conversation.id': threadId, 'agentwire.run.terminal': 'agent_completed' });
    const children = spansOf(run.traceId).filter((s) => s !== run);
    expect(children.every((s) => s.parentSpanId === run.spanId)).toBe(true);
    const chats = children.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats.map((s) => s.name)).toEqual(['chat fake-model', 'chat fake-model']);
    expect(chats.map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']])).toEqual([[40, 12], [70, 8]]);
    expect(chats[0]?.attributes).toMatchObject({ 'gen_ai.request.model': 'fake-model', 'gen_ai.response.finish_reasons': ['tool-calls'] });
    const tool = children.find((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool');
    const completed = client.runEvents(runId).find((e) => e.type === 'tool_completed');
    expect(tool).toMatchObject({ name: 'execute_tool calculator', status: { code: 1 } });
    expect(tool?.attributes).toMatchObject({ 'gen_ai.tool.name': 'calculator', 'gen_ai.tool.call.id': (completed?.data as { toolCallId: string }).toolCallId });
  });

  it('a Python worker run: the worker span shares the trace id and has the run span as parent; its tool span hangs below it', async () => {
    const { runId } = await client.submit('how many words is this', { agent: 'py' });
    expect(await client.terminalOf(runId)).toMatchObject({ type: 'agent_completed' });
    await expect.poll(() => runSpan(runId), { timeout: 10_000 }).toBeDefined();
    const run = runSpan(runId) as ReceivedSpan;
    await expect.poll(() => spansOf(run.traceId).filter((s) => s.service === 'py-worker').length, { timeout: 10_000 }).toBe(2);
    const py = spansOf(run.traceId).filter((s) => s.service === 'py-worker');
    const pyRun = py.find((s) => s.name === 'invoke_agent py-worker');
    const pyTool = py.find((s) => s.name === 'execute_tool word_count');
    expect(pyRun).toMatchObject({ parentSpanId: run.spanId, kind: 2, status: { code: 1 } });
    expect(pyRun?.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'agentwire.run.id': runId });
    expect(pyTool?.parentSpanId).toBe(pyRun?.spanId);
    const callId = (client.runEvents(runId).find((e) => e.type === 'tool_completed')?.data as { toolCallId: string }).toolCallId;
    expect(pyTool?.attributes).toMatchObject({ 'gen_ai.tool.name': 'word_count', 'gen_ai.tool.call.id': callId });
    // agentwire's own record of the tool call the worker reported, beside the worker's.
    await expect.poll(() => spansOf(run.traceId).some((s) => s.service === 'agentwire' && s.attributes['gen_ai.tool.call.id'] === callId), { timeout: 10_000 }).toBe(true);
    const reported = spansOf(run.traceId).find((s) => s.service === 'agentwire' && s.attributes['gen_ai.tool.call.id'] === callId);
    expect(reported).toMatchObject({ name: 'execute_tool word_count', parentSpanId: run.spanId });
  });

  it('a failed run: the run span is ERROR with the agent_error code as error.type', async () => {
    const { runId } = await client.submit('garbage', { agent: 'py' });
    expect(await client.terminalOf(runId)).toMatchObject({ type: 'agent_error', data: { code: 'worker_protocol_error' } });
    await expect.poll(() => runSpan(runId), { timeout: 10_000 }).toBeDefined();
    const run = runSpan(runId) as ReceivedSpan;
    expect(run.status.code).toBe(2);
    expect(run.attributes).toMatchObject({ 'agentwire.run.terminal': 'agent_error', 'error.type': 'worker_protocol_error' });
  });

  it('without configuration no tracer or exporter exists, and agentwire sends no span', async () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({ url: 'http://collector:4318/v1/traces' });
    expect(loadConfig({ AGENTWIRE_OTLP_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_HEADERS: 'x-key=a%20b' }).tracing).toEqual({ url: 'http://c:4318/v1/traces', headers: { 'x-key': 'a b' } });
    const plain = await startTestServer({ agents: [defineRemoteAgent({ name: 'py', url: worker.url })] });
    const other = await TestClient.open(plain.wsUrl, await signToken('trace-bob'));
    try {
      expect(plain.tracer).toBeUndefined();
      const { runId } = await other.submit('count these words', { agent: 'py' });
      expect(await other.terminalOf(runId)).toMatchObject({ type: 'agent_completed' });
      // The worker still gets a traceparent (a fresh trace) and exports its own span; agentwire sends none.
      await expect.poll(() => receiver.spans.some((s) => s.service === 'py-worker' && s.attributes['agentwire.run.id'] === runId), { timeout: 10_000 }).toBe(true);
      const pyRun = receiver.spans.find((s) => s.service === 'py-worker' && s.attributes['agentwire.run.id'] === runId) as ReceivedSpan;
      expect(pyRun.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
      await plain.close();
      expect(receiver.spans.filter((s) => s.traceId === pyRun.traceId && s.service === 'agentwire')).toEqual([]);
    } finally {
      await other.close();
      await plain.close();
    }
  });
});
