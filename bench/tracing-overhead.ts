/**
 * npm run bench:tracing [-- --runs 200 --tools 10 --rounds 3]
 *
 * What tracing costs: the same runs (an in-process agent making `tools` tool calls, then
 * completing; 8 users at a time over real WebSockets) on a server without tracing and on one
 * exporting to an OTLP/HTTP receiver on this machine. Prints the median time per run of each,
 * the ratio, and how many spans the receiver got (none may come from the untraced server).
 * A sampling heap profile of each round (every 256 bytes on average) gives the bytes allocated in
 * src/tracing/ code: with tracing off that must be 0 (nothing of tracing runs on the hot path).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { defineAgent, defineTool } from 'agentwire';
import { silentLogger, startServer, type AgentwireServer } from 'agentwire/server';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, tools: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const TOOLS = Number(values.tools);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = 8;
const SECRET = 'bench-secret-that-is-at-least-32-bytes-long!!';

const echo = defineTool({ name: 'echo', description: 'returns its input', parameters: z.object({ n: z.number() }), execute: ({ n }) => n });
const agent = defineAgent({
  name: 'tooly',
  description: `calls echo ${TOOLS} times`,
  tools: ['echo'],
  run: async (_input, ctx) => {
    for (let i = 0; i < TOOLS; i++) await ctx.tools.call('echo', { n: i });
    return TOOLS;
  },
});

function startReceiver(counter: { spans: number }): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) counter.spans += s.spans.length;
      res.writeHead(200).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function userRuns(wsUrl: string, user: string, count: number): Promise<void> {
  const token = await new SignJWT({ sub: user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  let sent = 0;
  await new Promise<void>((resolve, reject) => {
    const next = (): void => {
      if (sent === count) return resolve();
      sent += 1;
      socket.send(JSON.stringify({ type: 'user_message', text: 'go', agent: 'tooly', clientMessageId: `m${sent}` }));
    };
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'connection_established' || frame.type === 'agent_completed') next();
      else if (frame.type === 'agent_error' || frame.type === 'agent_death' || frame.type === 'error') reject(new Error(JSON.stringify(frame)));
    });
    socket.on('error', reject);
  });
  socket.close();
}

async function perRunMs(server: AgentwireServer, tag: string): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => userRuns(server.wsUrl, `${tag}-${i}`, Math.ceil(RUNS / CONCURRENCY))));
  return (performance.now() - started) / (CONCURRENCY * Math.ceil(RUNS / CONCURRENCY));
}

interface ProfileNode { callFrame: { url: string }; selfSize: number; children: ProfileNode[] }

/** Bytes allocated by functions in src/tracing/ while `work` ran, from a sampling heap profile. */
async function tracingBytes(work: () => Promise<number>): Promise<{ ms: number; bytes: number }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256 });
  const ms = await work();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
  session.disconnect();
  const sum = (node: ProfileNode): number => (node.callFrame.url.includes('/src/tracing/') ? node.selfSize : 0) + node.children.reduce((total, child) => total + sum(child), 0);
  return { ms, bytes: sum(profile.head) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const counter = { spans: 0 };
  const receiver = await startReceiver(counter);
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  const common = { port: 0, host: '127.0.0.1', auth: { jwtSecret: SECRET }, builtins: false, tools: [echo], agents: [agent], logger: silentLogger, engine: { maxRunsPerUser: 3 } } as const;
  // The untraced rounds run before the traced server exists, so no exporter timer or export of
  // its can run (and be counted) while the untraced server is measured.
  const times = { off: [] as number[], on: [] as number[] };
  const bytes = { off: 0, on: 0 };
  const off = await startServer(common);
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const untraced = await tracingBytes(() => perRunMs(off, `off-${r}`));
      times.off.push(untraced.ms);
      bytes.off += untraced.bytes;
    }
  } finally {
    await off.close();
  }
  const offSpans = counter.spans;
  const on = await startServer({ ...common, tracing: { url } });
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const traced = await tracingBytes(() => perRunMs(on, `on-${r}`));
      times.on.push(traced.ms);
      bytes.on += traced.bytes;
    }
  } finally {
    await on.close();
    receiver.close();
  }
  const a = median(times.off);
  const b = median(times.on);
  console.log(`${RUNS} runs × ${TOOLS} tool calls, median of ${ROUNDS}: tracing off ${(a * 1000).toFixed(0)} µs/run (tracer: ${off.tracer === undefined ? 'none' : 'present'}, spans from it: ${offSpans}, bytes allocated in src/tracing: ${bytes.off}), tracing on ${(b * 1000).toFixed(0)} µs/run (${counter.spans} spans exported, ~${Math.round(bytes.on / (ROUNDS * RUNS))} bytes/run sampled in src/tracing); on/off = ${(b / a).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
