/** The systems under test: how to start each one's server processes, and which client speaks to it. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ServerProcess } from './processes.js';

export type ClientKind = 'ws' | 'agentwire' | 'socketio';

export interface SystemSpec {
  name: SystemName;
  label: string;
  client: ClientKind;
  redis: boolean;
  /** One entry per server process (node). */
  nodes: (prefix: string) => { script: string; args: string[] }[];
}

export const SYSTEM_NAMES = ['ws', 'socketio', 'agentwire-memory', 'agentwire-remote', 'agentwire-sqlite', 'agentwire-redis', 'socketio-redis'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const SYSTEMS: Record<SystemName, SystemSpec> = {
  ws: { name: 'ws', label: 'raw ws (no guarantees)', client: 'ws', redis: false, nodes: () => [{ script: 'bench/servers/raw-ws.ts', args: [] }] },
  socketio: { name: 'socketio', label: 'Socket.IO 4 + recovery', client: 'socketio', redis: false, nodes: () => [{ script: 'bench/servers/socketio.ts', args: [] }] },
  'agentwire-memory': {
    name: 'agentwire-memory',
    label: 'agentwire (memory)',
    client: 'agentwire',
    redis: false,
    nodes: () => [{ script: 'bench/servers/agentwire.ts', args: ['--store', 'memory'] }],
  },
  'agentwire-remote': {
    name: 'agentwire-remote',
    label: 'agentwire (memory, remote worker over HTTP)',
    client: 'agentwire',
    redis: false,
    nodes: () => [{ script: 'bench/servers/agentwire.ts', args: ['--store', 'memory', '--remote'] }],
  },
  'agentwire-sqlite': {
    name: 'agentwire-sqlite',
    label: 'agentwire (SQLite)',
    client: 'agentwire',
    redis: false,
    nodes: () => [{ script: 'bench/servers/agentwire.ts', args: ['--store', 'sqlite'] }],
  },
  'agentwire-redis': {
    name: 'agentwire-redis',
    label: 'agentwire (Redis, 2 nodes)',
    client: 'agentwire',
    redis: true,
    nodes: (prefix) => ['a', 'b'].map((node) => ({ script: 'bench/servers/agentwire.ts', args: ['--store', 'redis', '--redis', REDIS_URL, '--prefix', prefix, '--node', node] })),
  },
  'socketio-redis': {
    name: 'socketio-redis',
    label: 'Socket.IO 4 + Redis Streams (2 nodes)',
    client: 'socketio',
    redis: true,
    nodes: (prefix) => ['a', 'b'].map(() => ({ script: 'bench/servers/socketio-redis.ts', args: ['--redis', REDIS_URL, '--prefix', prefix] })),
  },
};

/** A running system: its server processes and where clients connect (user i goes to url i mod n). */
export class RunningSystem {
  private constructor(
    readonly spec: SystemSpec,
    readonly servers: ServerProcess[],
    readonly prefix: string,
  ) {}

  static async start(spec: SystemSpec, options: { nodeFlags?: string[] } = {}): Promise<RunningSystem> {
    const prefix = `bench-${spec.name}-${randomBytes(4).toString('hex')}`;
    const servers: ServerProcess[] = [];
    try {
      for (const [index, node] of spec.nodes(prefix).entries()) servers.push(await ServerProcess.start(`${spec.name}#${index}`, node.script, node.args, options));
    } catch (error) {
      await Promise.all(servers.map((server) => server.stop()));
      throw error;
    }
    return new RunningSystem(spec, servers, prefix);
  }

  get urls(): string[] {
    const path = this.spec.client === 'agentwire' ? '/ws' : this.spec.client === 'ws' ? '/' : '';
    const scheme = this.spec.client === 'socketio' ? 'http' : 'ws';
    return this.servers.flatMap((server) => server.ports.map((port) => `${scheme}://127.0.0.1:${port}${path}`));
  }

  cpuSeconds(): number {
    return this.servers.reduce((sum, server) => sum + server.cpuSeconds(), 0);
  }

  /** Run-queue wait of the nodes' event loops, summed (see ServerProcess.cpuWaitSeconds). */
  cpuWaitSeconds(): number {
    return this.servers.reduce((sum, server) => sum + server.cpuWaitSeconds(), 0);
  }

  /** Event-loop delay since the previous call, the worst node's. */
  async loopDelay(): Promise<{ p99: number; max: number }> {
    const samples = await Promise.all(this.servers.map((server) => server.loopDelay()));
    return { p99: Math.max(...samples.map((s) => s.p99)), max: Math.max(...samples.map((s) => s.max)) };
  }

  /** Resident memory of all nodes together, after a GC in each. */
  async rss(): Promise<number> {
    const samples = await Promise.all(this.servers.map((server) => server.memory()));
    return samples.reduce((sum, sample) => sum + sample.rss, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    if (this.spec.redis) await deleteRedisKeys(this.prefix);
  }
}

export async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Removes what a benchmark system left in Redis (every key under its unique prefix). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
