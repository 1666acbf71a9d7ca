/**
 * npm run bench:remote [-- --events 5000 --runs 8 --rounds 3]
 *
 * The overhead of a remote agent against an in-process one, on the same workload: `runs`
 * concurrent runs (one user each) of `events` agent_message_delta events of 60 bytes, produced
 * by the in-process `stream` agent, or by a worker over HTTP (NDJSON, on this machine) streaming
 * the same deltas through defineRemoteAgent. Wall time from the first send to the last terminal
 * event at the clients; median of the rounds; the ratio is remote / in-process. Not a row of
 * `npm run bench` (which compares whole systems); a micro-benchmark of the remote path.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { defineRemoteAgent } from 'agentwire';
import { silentLogger, startServer } from 'agentwire/server';

const { values } = parseArgs({ options: { events: { type: 'string', default: '5000' }, runs: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } } });
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const ROUNDS = Number(values.rounds);
const SECRET = 'bench-secret-that-is-at-least-32-bytes-long!!';

/** The same 60-byte deltas the stream agent emits: its index, then padding. */
function streamDelta(index: number, bytes: number): string {
  const label = `#${String(index).padStart(6, '0')} `;
  return (label + 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3)).slice(0, Math.max(bytes, label.length));
}

/** The worker: the stream agent's deltas as NDJSON, written with backpressure. */
function startWorker(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // agentwire closing the request (a run that failed) is reported by the client side.
      res.on('error', () => undefined);
      let i = 1;
      const write = (): void => {
        while (i <= EVENTS && !res.destroyed) {
          const ok = res.write(`${JSON.stringify({ type: 'agent_message_delta', data: { delta: streamDelta(i, 60) } })}\n`);
          i += 1;
          if (!ok) return void res.once('drain', write);
        }
        res.end('{"type":"agent_completed","data":{"result":null}}\n');
      };
      write();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function oneRun(wsUrl: string, user: string, agent: string): Promise<void> {
  const token = await new SignJWT({ sub: user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  let deltas = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type === 'connection_established') socket.send(JSON.stringify({ type: 'user_message', text: JSON.stringify({ events: EVENTS, bytes: 60 }), agent, clientMessageId: 'b' }));
      else if (frame.type === 'agent_message_delta') deltas += 1;
      else if (frame.type === 'agent_completed') resolve();
      else if (frame.type === 'agent_error' || frame.type === 'agent_death' || frame.type === 'error') reject(new Error(JSON.stringify(frame)));
    });
    socket.on('error', reject);
  });
  socket.close();
  if (deltas !== EVENTS) throw new Error(`${agent}: ${deltas} of ${EVENTS} deltas`);
}

async function round(wsUrl: string, agent: string, tag: string): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: RUNS }, (_, i) => oneRun(wsUrl, `${tag}-${i}`, agent)));
  return performance.now() - started;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const worker = await startWorker();
  const url = `http://127.0.0.1:${(worker.address() as AddressInfo).port}/`;
  const server = await startServer({ port: 0, host: '127.0.0.1', auth: { jwtSecret: SECRET }, diagnostics: true, logger: silentLogger, agents: [defineRemoteAgent({ name: 'remote-stream', url })] });
  const times: Record<string, number[]> = { stream: [], 'remote-stream': [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const agent of ['stream', 'remote-stream']) (times[agent] as number[]).push(await round(server.wsUrl, agent, `${agent}-${r}`));
    }
  } finally {
    await server.close();
    worker.close();
  }
  const local = median(times.stream as number[]);
  const remote = median(times['remote-stream'] as number[]);
  const rate = (ms: number): string => `${Math.round((RUNS * EVENTS) / (ms / 1000)).toLocaleString('en-US')} events/s`;
  console.log(`${RUNS} runs × ${EVENTS} deltas, median of ${ROUNDS}: in-process ${local.toFixed(0)} ms (${rate(local)}), remote over HTTP ${remote.toFixed(0)} ms (${rate(remote)}); remote/in-process = ${(remote / local).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
