/**
 * What every benchmark server process shares with the harness: it announces itself on stdout
 * (`BENCH_READY {"ports":[…]}`), answers `rss` on stdin with its resident memory after a full
 * GC (`BENCH_RSS {…}`), records a CPU profile of its main thread between `profile-start` and
 * `profile-stop FILE` (`BENCH_PROFILE FILE`), reports its event-loop delay since the last ask on
 * `eld` (`BENCH_ELD {p99, max}` in ms: how long the loop was blocked), and exits cleanly on `exit`, SIGTERM or when
 * stdin closes (the harness died).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export interface ControlledServer {
  ports: number[];
  close(): Promise<void>;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('benchmark servers run with --expose-gc');
  gc();
  gc();
}

function memorySample(): MemorySample {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

/** Sampling profiler of this thread, only over the window the harness asks for (not start-up). */
class Profiler {
  #session: Session | undefined;

  async start(): Promise<void> {
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
    this.#session = session;
  }

  async stop(file: string): Promise<void> {
    const session = this.#session;
    if (!session) throw new Error('profile-stop without profile-start');
    this.#session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
  }
}

export function serveControl(server: ControlledServer): void {
  const profiler = new Profiler();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const fail = (error: unknown): void => {
    process.stdout.write(`BENCH_FAILED ${JSON.stringify(String(error))}\n`);
  };
  let exiting = false;
  const exit = (): void => {
    if (exiting) return;
    exiting = true;
    // A server that does not close within 5 s still exits: the profile matters more than a clean close.
    const force = setTimeout(() => process.exit(0), 5_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === 'rss') process.stdout.write(`BENCH_RSS ${JSON.stringify(memorySample())}\n`);
    else if (command === 'eld') {
      process.stdout.write(`BENCH_ELD ${JSON.stringify({ p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 })}\n`);
      loopDelay.reset();
    } else if (command === 'profile-start') profiler.start().then(() => process.stdout.write('BENCH_PROFILING on\n'), fail);
    else if (command.startsWith('profile-stop ')) {
      const file = command.slice('profile-stop '.length);
      profiler.stop(file).then(() => process.stdout.write(`BENCH_PROFILE ${file}\n`), fail);
    } else if (command === 'exit') exit();
  });
  lines.on('close', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.stdout.write(`BENCH_READY ${JSON.stringify({ ports: server.ports, pid: process.pid })}\n`);
}

/** Reads `--name value` pairs from argv. */
export function argValue(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value ?? fallback;
}

/** The JWT secret every system under test verifies tokens with (HS256). */
export const BENCH_SECRET = process.env.BENCH_JWT_SECRET ?? 'agentwire-bench-secret-at-least-32-bytes!';
