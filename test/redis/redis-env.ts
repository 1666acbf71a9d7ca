/**
 * Redis for the tests: the shared server at AGENTWIRE_TEST_REDIS_URL (default
 * redis://127.0.0.1:6379, which .ci/run starts), and private redis-server processes on free
 * ports for the tests that restart Redis. Without Redis a suite is skipped with a loud warning,
 * or fails when AGENTWIRE_REQUIRE_SERVICES=1 (CI).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.AGENTWIRE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUIRED = process.env.AGENTWIRE_REQUIRE_SERVICES === '1';

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `awtest:${label}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

export async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * describe() when the service is there; otherwise a failing test (CI) or a skipped suite
 * with a warning nobody can miss.
 */
function suiteNeeding(what: string, available: boolean, name: string, body: () => void): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (REQUIRED) {
    describe(name, () => {
      it(`needs ${what}`, () => {
        throw new Error(`${what} is not available and AGENTWIRE_REQUIRE_SERVICES=1`);
      });
    });
    return;
  }
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED "${name}": ${what} is not available.\n!! Run .ci/run, or start redis-server; AGENTWIRE_REQUIRE_SERVICES=1 turns this into a failure.\n${'!'.repeat(78)}\n`);
  describe.skip(name, body);
}

/** A suite that needs the shared Redis. */
export async function redisSuite(name: string, body: () => void): Promise<void> {
  suiteNeeding(`Redis at ${REDIS_URL}`, await redisReachable(REDIS_URL), name, body);
}

/** A suite that starts its own redis-server processes. */
export async function redisServerSuite(name: string, body: () => void): Promise<void> {
  suiteNeeding('the redis-server binary', redisServerInstalled(), name, body);
  return Promise.resolve();
}

/** Deletes every key under a prefix. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The running redis-server's process id. */
  readonly pid: number;
  /** Stops it (SIGKILL by default: a crash, not a clean shutdown). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
}

/**
 * A redis-server of its own on a free port: without persistence by default (a restart loses
 * everything), or with an append-only file fsynced on every write.
 */
export async function startPrivateRedis(options: { persistence?: 'none' | 'aof-always' } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'agentwire-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  if (options.persistence === 'aof-always') args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await redisReachable(url))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };
  await start();
  return {
    port,
    url,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    stop,
    start,
  };
}

export interface CuttableProxy {
  readonly port: number;
  /** While true, what Redis answers never reaches the client: commands run, replies are lost. */
  dropReplies: boolean;
  /** Cuts every connection through the proxy (the client sees its connection drop). */
  cutAll(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a Redis, to lose replies and cut connections on purpose. */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<import('node:net').Socket>();
  const state = { dropReplies: false };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!state.dropReplies) client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    get dropReplies() {
      return state.dropReplies;
    },
    set dropReplies(value: boolean) {
      state.dropReplies = value;
    },
    cutAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
