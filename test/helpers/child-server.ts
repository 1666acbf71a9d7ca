/**
 * Runs `agentwire serve` (or `start`) in a child process (TypeScript sources through tsx), so tests can kill
 * it with SIGKILL and start it again: a real crash, not a simulated one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET } from './tokens.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the child wrote to stderr (its log). */
  readonly stderr: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnServer(env: Record<string, string>, options: { port?: number; startTimeoutMs?: number; command?: 'serve' | 'start' } = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--conditions=agentwire-source', '--import', 'tsx', 'src/cli/main.ts', options.command ?? 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      AGENTWIRE_JWT_SECRET: TEST_SECRET,
      AGENTWIRE_DIAGNOSTICS: '1',
      AGENTWIRE_LOG_LEVEL: 'warn',
      // The CLI paces the demo assistant like a model; tests want its runs as fast as they go.
      AGENTWIRE_DEMO_PACING: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), options.startTimeoutMs ?? 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    process: child,
    stderr: () => stderr,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
