/**
 * Server processes under test: each pinned to core 0 with `taskset` (the load generator pins
 * itself to core 1), started the same way (tsx, --expose-gc, NODE_ENV=production), and driven
 * through the control lines of bench/servers/control.ts.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVER_CORE = '0';
export const LOADGEN_CORE = '1';

let tasksetChecked: boolean | undefined;

/** Whether `taskset` (util-linux) is there; says so loudly, once, when it is not. */
export function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
      process.stderr.write('\n!!! taskset (util-linux) is missing: servers and load generator run UNPINNED; numbers are not comparable to pinned runs !!!\n\n');
    }
  }
  return tasksetChecked;
}

/** Pins every thread of this process (the load generator) to core 1. */
export function pinSelf(): boolean {
  if (!hasTaskset()) return false;
  execFileSync('taskset', ['-a', '-p', '-c', LOADGEN_CORE, String(process.pid)], { stdio: 'ignore' });
  return true;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
}

export class ServerProcess {
  readonly ports: number[] = [];
  pid = 0;
  #stderr = '';
  #waiters: ((line: string) => void)[] = [];
  readonly #exited: Promise<number | null>;

  private constructor(
    readonly label: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    const log = process.env.BENCH_SERVER_LOG;
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-20_000);
      if (log) appendFileSync(log, chunk);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (log) appendFileSync(log, `[${label}] ${line}\n`);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter(line);
    });
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(label: string, script: string, args: string[], options: { nodeFlags?: string[] } = {}): Promise<ServerProcess> {
    // BENCH_SERVER_FLAGS: extra Node flags for every server, for diagnosis (e.g. --trace-gc, with
    // BENCH_SERVER_LOG=FILE to keep what the servers print).
    const extra = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
    const nodeArgs = ['--expose-gc', ...extra, ...(options.nodeFlags ?? []), '--conditions=agentwire-source', '--import', 'tsx', script, ...args];
    const [command, argv] = hasTaskset() ? ['taskset', ['-c', SERVER_CORE, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', AGENTWIRE_DIAGNOSTICS: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new ServerProcess(label, child);
    const ready = await server.#expect('BENCH_READY', 60_000);
    const info = JSON.parse(ready) as { ports: number[]; pid: number };
    server.ports.push(...info.ports);
    server.pid = info.pid;
    return server;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resident memory after a full GC in the server. */
  async memory(): Promise<MemorySample> {
    const line = this.#expect('BENCH_RSS', 30_000);
    this.child.stdin.write('rss\n');
    return JSON.parse(await line) as MemorySample;
  }

  /** The server's event-loop delay (ms) since the previous call: p99 and max of a 10 ms timer's lateness. */
  async loopDelay(): Promise<{ p99: number; max: number }> {
    const answer = this.#expect('BENCH_ELD', 10_000);
    this.child.stdin.write('eld\n');
    return JSON.parse(await answer) as { p99: number; max: number };
  }

  async startProfile(): Promise<void> {
    const answer = this.#expect('BENCH_PROFILING', 10_000);
    this.child.stdin.write('profile-start\n');
    await answer;
  }

  /** Stops the profiler and has the server write its profile (V8 .cpuprofile JSON) to `file`. */
  async stopProfile(file: string): Promise<void> {
    const answer = this.#expect('BENCH_PROFILE', 30_000);
    this.child.stdin.write(`profile-stop ${file}\n`);
    await answer;
  }

  /** CPU seconds (user + system) the server has used so far, from /proc. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime), counted after the command name.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return Number.NaN;
    }
  }

  /**
   * Seconds the server's main thread (its event loop) has spent runnable but waiting for a CPU,
   * from /proc/<pid>/schedstat: on a machine where other work shares core 0, this is the noise.
   */
  cpuWaitSeconds(): number {
    return schedWaitSeconds(this.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }

  #expect(prefix: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no ${prefix} within ${timeoutMs} ms; stderr:\n${this.#stderr}`)), timeoutMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`${this.label} exited with ${code} before ${prefix}; stderr:\n${this.#stderr}`));
      };
      void this.#exited.then(onExit);
      const check = (line: string): void => {
        if (line.startsWith(`${prefix} `)) {
          clearTimeout(timer);
          resolve(line.slice(prefix.length + 1));
        } else if (line.startsWith('BENCH_FAILED ')) {
          clearTimeout(timer);
          reject(new Error(`${this.label}: ${line}`));
        } else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }
}

/** Run-queue wait of a process's main thread, in seconds (NaN where /proc has no schedstat). */
export function schedWaitSeconds(pid: number | 'self'): number {
  try {
    const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
    return Number(fields[1]) / 1e9;
  } catch {
    return Number.NaN;
  }
}
