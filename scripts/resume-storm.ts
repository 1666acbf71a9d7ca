/**
 * node --conditions=agentwire-source --import tsx scripts/resume-storm.ts [--history 20000]
 *   [--connections 5] [--resumes 8] [--burst 10] [--bytes 60] [--pause-ms 0]
 *
 * Reproduces issue 12 item 1 against a real server process (SQLite) and prints what the
 * server actually sent:
 *  1. `--burst` in-band resumes {lastSeq: 0} written in ONE TCP write on a connection whose
 *     user has 302 events: event frames received vs distinct seqs.
 *  2. a resume storm: `--connections` connections of one user with `--history` events, each
 *     writing `--resumes` resumes in one write; meanwhile a bystander user runs short runs.
 *     Prints the peak server-side bufferedAmount of any socket (a probe wraps ws's send), the
 *     frames the storm received, and the bystander's run latency before and during the storm.
 *     `--bytes` sizes the history's events; `--pause-ms` makes the storm's readers stop reading
 *     for that long after their burst (a slow link), so whatever the server queues shows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { spawnServer, type ChildServer } from '../test/helpers/child-server.js';
import { signToken } from '../test/helpers/tokens.js';
import { TestClient } from '../test/helpers/ws-client.js';
import { sendInOneWrite } from '../test/helpers/raw-burst.js';

const { values } = parseArgs({
  options: {
    history: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '5' },
    resumes: { type: 'string', default: '8' },
    burst: { type: 'string', default: '10' },
    bytes: { type: 'string', default: '60' },
    'pause-ms': { type: 'string', default: '0' },
  },
});

/** A client that only counts: event frames, distinct seqs, `resumed` answers. */
class CountingClient {
  frames = 0;
  resumed = 0;
  readonly seen = new Set<number>();
  epoch = '';
  readonly ready: Promise<void>;
  constructor(readonly socket: WebSocket) {
    this.ready = new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        const seq = /^\{"v":1,[^]*?"seq":(\d+)/.exec(text.slice(0, 120));
        if (seq) {
          this.frames += 1;
          this.seen.add(Number(seq[1]));
        } else if (text.includes('"type":"resumed"')) this.resumed += 1;
        else if (text.includes('"type":"connection_established"')) {
          this.epoch = (JSON.parse(text) as { epoch: string }).epoch;
          resolve();
        }
      });
    });
  }
  static async open(wsUrl: string, token: string): Promise<CountingClient> {
    const client = new CountingClient(new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false }));
    await client.ready;
    return client;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function peakBuffered(server: ChildServer): number {
  const matches = [...server.stderr().matchAll(/\[probe\] peak_buffered_bytes (\d+) sends (\d+)/g)];
  const last = matches[matches.length - 1];
  if (!last) throw new Error(`no probe output in the server log: ${server.stderr().slice(-500)}`);
  if (process.env.PROBE_DEBUG) process.stderr.write(`${last[0]}\n`);
  return Number(last[1]);
}

/** Milliseconds from submit to terminal event; Infinity when that takes over a minute. */
async function timedRun(client: TestClient): Promise<number> {
  try {
    return await timedRunOrThrow(client);
  } catch {
    return Infinity;
  }
}

async function timedRunOrThrow(client: TestClient): Promise<number> {
  const started = performance.now();
  const clientMessageId = `cm-${Math.random().toString(36).slice(2)}`;
  client.send({ type: 'user_message', text: JSON.stringify({ events: 20, intervalMs: 0, bytes: 60 }), agent: 'stream', clientMessageId });
  // Not client.submit(): its 10 s wait is what a stalled server misses.
  const accepted = await client.waitFor((f) => (f.type === 'run_accepted' || f.type === 'error') && f.clientMessageId === clientMessageId, 60_000);
  if (accepted.type !== 'run_accepted') throw new Error(`run refused: ${JSON.stringify(accepted)}`);
  await client.terminalOf(accepted.runId, 60_000);
  return performance.now() - started;
}

const probe = fileURLToPath(new URL('./support/ws-buffer-probe.mjs', import.meta.url));
const server = await spawnServer(
  {
    AGENTWIRE_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'agentwire-storm-')), 'storm.db')}`,
    AGENTWIRE_RETENTION_EVENTS: '1000000',
    NODE_OPTIONS: `--import=${probe}`,
  },
  { startTimeoutMs: 60_000 },
);
try {
  // 1. A burst of in-band resumes on one connection.
  const burstToken = await signToken('storm-burst');
  const seed = await TestClient.open(server.wsUrl, burstToken);
  await seed.terminalOf((await seed.submit(JSON.stringify({ events: 300, intervalMs: 0, bytes: 60 }), { agent: 'stream' })).runId, 60_000);
  await seed.close();
  const burst = await CountingClient.open(server.wsUrl, burstToken);
  const n = Number(values.burst);
  await sendInOneWrite(burst.socket, Array.from({ length: n }, () => JSON.stringify({ type: 'resume', lastSeq: 0, epoch: burst.epoch })));
  await until(() => burst.resumed >= n, 60_000);
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`burst: ${n} resumes in one write → ${burst.frames} event frames for ${burst.seen.size} seqs, ${burst.resumed} resumed\n`);
  burst.socket.close();

  // 2. The storm, with a bystander.
  const history = Number(values.history);
  const stormToken = await signToken('storm-user');
  const filler = await TestClient.open(server.wsUrl, stormToken);
  await filler.terminalOf((await filler.submit(JSON.stringify({ events: history, intervalMs: 0, bytes: Number(values.bytes) }), { agent: 'stream' })).runId, 300_000);
  await filler.close();
  const bystander = await TestClient.open(server.wsUrl, await signToken('storm-bystander'));
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) {
    baseline.push(await timedRun(bystander));
    await new Promise((r) => setTimeout(r, 100));
  }
  const peakBefore = peakBuffered(server);

  const connections = Number(values.connections);
  const resumes = Number(values.resumes);
  const storm = await Promise.all(Array.from({ length: connections }, () => CountingClient.open(server.wsUrl, stormToken)));
  const stormStarted = performance.now();
  await Promise.all(storm.map((c) => sendInOneWrite(c.socket, Array.from({ length: resumes }, () => JSON.stringify({ type: 'resume', lastSeq: 0, epoch: c.epoch })))));
  const pauseMs = Number(values['pause-ms']);
  if (pauseMs > 0) {
    for (const c of storm) c.socket.pause();
    setTimeout(() => {
      for (const c of storm) c.socket.resume();
    }, pauseMs);
  }
  const state = { stormDone: false };
  const during: number[] = [];
  const bystanding = (async () => {
    while (!state.stormDone) {
      const ms = await timedRun(bystander);
      during.push(ms);
      if (ms === Infinity) return;
      // Paced under the message rate limit (20/s), which would refuse the next run.
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const finished = await until(() => storm.every((c) => c.resumed >= resumes), 180_000);
  const stormMs = performance.now() - stormStarted;
  state.stormDone = true;
  await bystanding;
  await new Promise((r) => setTimeout(r, 500));
  const frames = storm.reduce((sum, c) => sum + c.frames, 0);
  const fmt = (xs: number[]): string => `max ${Math.round(Math.max(...xs))} ms, median ${Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN)} ms (n=${xs.length})`;
  process.stdout.write(`storm: ${connections}×${resumes} resumes over ${history + 2} seqs → ${frames} event frames (${connections}×${history + 2} = ${connections * (history + 2)} owed), ${finished ? 'finished' : 'NOT finished'} in ${Math.round(stormMs)} ms\n`);
  process.stdout.write(`peak server-side bufferedAmount of one socket: ${(peakBuffered(server) / 2 ** 20).toFixed(1)} MiB (before the storm ${(peakBefore / 2 ** 20).toFixed(1)} MiB; bound 8 MiB)\n`);
  process.stdout.write(`bystander 20-event run: baseline ${fmt(baseline)}; during the storm ${fmt(during)}\n`);
  for (const c of storm) c.socket.close();
  await bystander.close();
} finally {
  await server.kill('SIGTERM');
}
