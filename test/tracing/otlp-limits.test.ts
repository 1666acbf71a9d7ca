/**
 * The exporter's limits: spans past the queue bound are dropped, and a collector that cannot be
 * reached loses its batch; both are counted in agentwire_spans_dropped_total and never affect
 * the run. Real server, real OTLP receiver (port 0), spans read from what the receiver got.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineTool } from 'agentwire';
import { loadConfig, type AgentwireServer } from 'agentwire/server';
import { startTestServer } from '../helpers/server.js';
import { signToken } from '../helpers/tokens.js';
import { TestClient } from '../helpers/ws-client.js';
import { OtlpReceiver } from './otlp-receiver.js';

const echo = defineTool({ name: 'echo', description: 'returns its input', parameters: z.object({ text: z.string() }), execute: ({ text }) => text });
const toolAgent = defineAgent({
  name: 'tooly',
  description: 'calls one tool',
  tools: ['echo'],
  run: async (input, ctx) => (await ctx.tools.call('echo', { text: input.text })).status,
});

async function oneRun(server: AgentwireServer, user: string): Promise<void> {
  const client = await TestClient.open(server.wsUrl, await signToken(user));
  try {
    const { runId } = await client.submit('hi', { agent: 'tooly' });
    expect(await client.terminalOf(runId)).toMatchObject({ type: 'agent_completed', data: { result: 'success' } });
  } finally {
    await client.close();
  }
}

async function droppedCount(server: AgentwireServer, reason: string): Promise<number> {
  const metric = await server.metrics.spansDropped.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}

describe('OTLP exporter limits', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('reads every limit from the environment', () => {
    const env = { AGENTWIRE_OTLP_ENDPOINT: 'http://c/v1/traces', AGENTWIRE_OTLP_FLUSH_INTERVAL_MS: '5', AGENTWIRE_OTLP_MAX_BATCH_SPANS: '6', AGENTWIRE_OTLP_MAX_QUEUE_SPANS: '7', AGENTWIRE_OTLP_EXPORT_TIMEOUT_MS: '8' };
    expect(loadConfig(env).tracing).toEqual({ url: 'http://c/v1/traces', flushIntervalMs: 5, maxBatchSpans: 6, maxQueueSpans: 7, exportTimeoutMs: 8 });
    expect(() => loadConfig({ ...env, AGENTWIRE_OTLP_MAX_QUEUE_SPANS: '0' })).toThrow(/AGENTWIRE_OTLP_MAX_QUEUE_SPANS/);
    expect(() => loadConfig({ AGENTWIRE_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTLP endpoint/);
  });

  it('past maxQueueSpans a span is dropped and counted (queue_full); the rest is exported on close', async () => {
    const server = await startTestServer({ builtins: false, tools: [echo], agents: [toolAgent], tracing: { url: receiver.url, maxQueueSpans: 1, flushIntervalMs: 60_000 } });
    try {
      await oneRun(server, 'limits-alice');
      // The tool span ends first and fills the queue of one; the run span is refused.
      await expect.poll(() => droppedCount(server, 'queue_full'), { timeout: 5000 }).toBe(1);
    } finally {
      await server.close();
    }
    expect(receiver.spans.map((s) => s.name)).toEqual(['execute_tool echo']);
  });

  it('a collector that cannot be reached loses the batch, counted as export_failed; the run is unaffected', async () => {
    const server = await startTestServer({ builtins: false, tools: [echo], agents: [toolAgent], tracing: { url: await closedPortUrl(), flushIntervalMs: 10 } });
    try {
      await oneRun(server, 'limits-bob');
      await expect.poll(() => droppedCount(server, 'export_failed'), { timeout: 5000 }).toBe(2);
    } finally {
      await server.close();
    }
  });
});
