/**
 * agentwire, through its public `startServer`, with the `stream` diagnostic agent and limits
 * raised so that none of them throttles the benchmark (rate limits, run caps and connection
 * caps are features, not what is being measured here).
 *
 *   node --expose-gc --conditions=agentwire-source --import tsx bench/servers/agentwire.ts --store memory|sqlite|redis [--node a] [--prefix p] [--redis URL] [--sqlite PATH] [--remote]
 *
 * With `--remote` the `stream` agent is a remote agent (defineRemoteAgent) whose worker,
 * servers/stream-worker.ts, runs as this process's child and streams the same deltas over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { defineRemoteAgent } from 'agentwire';
import { createLogger, startServer } from 'agentwire/server';
import { argValue, BENCH_SECRET, serveControl } from './control.js';

const kind = argValue('store', 'memory');
let scratch: string | undefined;
let store: string;
if (kind === 'memory') store = 'memory';
else if (kind === 'sqlite') {
  scratch = mkdtempSync(join(tmpdir(), 'agentwire-bench-'));
  store = `sqlite:${argValue('sqlite', join(scratch, 'events.db'))}`;
} else if (kind === 'redis') store = argValue('redis', 'redis://127.0.0.1:6379');
else throw new Error(`--store must be memory, sqlite or redis, not ${kind}`);

const remote = process.argv.includes('--remote') ? await startStreamWorker() : undefined;

const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  store,
  ...(kind === 'redis' ? { redis: { prefix: argValue('prefix', `bench-aw-${process.pid}`) } } : {}),
  nodeId: `bench-${argValue('node', 'a')}`,
  auth: { jwtSecret: BENCH_SECRET },
  builtins: false,
  // Remote: the worker is the `stream` agent (the load generator asks for it by that name).
  diagnostics: !remote,
  ...(remote ? { agents: [defineRemoteAgent({ name: 'stream', url: remote.url, historyTurns: 0 })] } : {}),
  defaultAgent: 'stream',
  logger: createLogger('warn'),
  // Diagnosis only (the benchmark runs with the default retention): events kept per user.
  ...(process.env.BENCH_RETENTION_EVENTS ? { retention: { maxEventsPerUser: Number(process.env.BENCH_RETENTION_EVENTS) } } : {}),
  shutdownGraceMs: 0,
  transport: {
    messagesPerSecond: 10_000,
    messageBurst: 20_000,
    connectionsPerSecondPerIp: 1_000_000,
  },
  engine: {
    maxConcurrentRuns: 1_000_000,
    maxRunsPerUser: 3,
    maxQueuedPerUser: 10,
    runTimeoutMs: 600_000,
  },
});

serveControl({
  ports: [server.port],
  close: async () => {
    await server.close();
    remote?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  },
});

/** Starts the worker process (it inherits this process's pinning to core 0) and waits for its port. */
async function startStreamWorker(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--conditions=agentwire-source', '--import', 'tsx', 'bench/servers/stream-worker.ts'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env } });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /WORKER_READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the stream worker exited with ${code}`)));
  });
  // Closing its stdin ends the worker; so does this process dying, which closes the pipe.
  return { url: `http://127.0.0.1:${port}/`, stop: () => child.stdin.end() };
}
