/**
 * The SQLite store's write path alone, without sockets: U users append agent_message_delta
 * events at an aggregate rate for S seconds (each user on its own timer, as in the fan-out
 * workload). Prints the bytes the main thread wrote (the write-ahead log: checkpoints run on a
 * worker thread), per event; the log file's peak size; append latency (append called →
 * promise settled); the event loop's worst delay and the process's CPU.
 *
 *   npm run bench:sqlite-log [-- --users 2000 --rate 3900 --seconds 10]
 *
 * It uses only the public SqliteEventStore, so it runs unchanged on earlier commits too.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { SqliteEventStore } from 'agentwire/server';

const { values } = parseArgs({ options: { users: { type: 'string', default: '2000' }, rate: { type: 'string', default: '3900' }, seconds: { type: 'string', default: '10' } } });
const users = Number(values.users);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const dir = mkdtempSync(join(tmpdir(), 'agentwire-sqlite-log-'));
const path = join(dir, 'events.db');
const store = new SqliteEventStore(path);

/** Bytes written by this thread's write() calls (Linux: /proc/<pid>/task/<tid>/io). */
function mainThreadWrites(): number {
  const io = readFileSync(`/proc/self/task/${process.pid}/io`, 'utf8');
  return Number(/^wchar: (\d+)$/m.exec(io)?.[1] ?? Number.NaN);
}

const intervalMs = (1000 * users) / rate;
const delta = 'x'.repeat(60);
const latencies: number[] = [];
let walPeak = 0;
const sampler = setInterval(() => {
  try {
    walPeak = Math.max(walPeak, statSync(`${path}-wal`).size);
  } catch {
    // No log file yet.
  }
}, 50);
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const writesBefore = mainThreadWrites();
const cpuBefore = process.cpuUsage();
const until = Date.now() + seconds * 1000;
let counter = 0;

async function user(index: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.random() * intervalMs));
  while (Date.now() < until) {
    const started = performance.now();
    counter += 1;
    await store.append({
      type: 'agent_message_delta',
      eventId: `evt_${counter}`,
      runId: `run_${String(index).padStart(22, '0')}`,
      threadId: `thr_${String(index).padStart(22, '0')}`,
      userId: `user-${index}`,
      agentName: 'stream',
      ts: Date.now(),
      data: { delta },
    });
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

await Promise.all(Array.from({ length: users }, (_, i) => user(i)));
const cpu = process.cpuUsage(cpuBefore);
const written = mainThreadWrites() - writesBefore;
clearInterval(sampler);
loop.disable();
await store.close();
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? Number.NaN;
const rows: [string, string][] = [
  ['users × seconds, asked-for rate', `${users} × ${seconds}, ${rate} events/s`],
  ['events appended', String(latencies.length)],
  ['bytes written by the main thread per event', `${Math.round(written / latencies.length)}`],
  ['log file peak size', `${(walPeak / 2 ** 20).toFixed(1)} MiB`],
  ['append latency p50 / p99 / max', `${at(0.5).toFixed(2)} / ${at(0.99).toFixed(2)} / ${at(1).toFixed(2)} ms`],
  ['event-loop delay max', `${(loop.max / 1e6).toFixed(1)} ms`],
  ['process CPU (all threads)', `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`],
];
process.stdout.write(`| measure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`);
