/**
 * A real reverse proxy for the tests: Debian's nginx (installed by .ci/run), run as a child
 * process from a config written to a temp dir, on a loopback port, in front of one upstream
 * port. It forwards WebSocket upgrades and appends the peer to X-Forwarded-For, like a
 * production balancer; its access log records the status of every request it answered.
 * Without nginx a suite is skipped loudly, or fails when AGENTWIRE_REQUIRE_SERVICES=1 (CI).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export const NGINX = process.env.AGENTWIRE_TEST_NGINX ?? '/usr/sbin/nginx';
const REQUIRED = process.env.AGENTWIRE_REQUIRE_SERVICES === '1';

export function nginxInstalled(): boolean {
  return spawnSync(NGINX, ['-v'], { stdio: 'ignore' }).status === 0;
}

/** describe() when nginx is there; otherwise a failing test (CI) or a loudly skipped suite. */
export function nginxSuite(name: string, body: () => void): void {
  if (nginxInstalled()) {
    describe(name, body);
    return;
  }
  if (REQUIRED) {
    describe(name, () => {
      it('needs nginx', () => {
        throw new Error(`nginx is not available at ${NGINX} and AGENTWIRE_REQUIRE_SERVICES=1`);
      });
    });
    return;
  }
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPED "${name}": nginx is not available at ${NGINX}.\n!! Run .ci/run, or apt-get install nginx; AGENTWIRE_REQUIRE_SERVICES=1 turns this into a failure.\n${'!'.repeat(78)}\n`);
  describe.skip(name, body);
}

/** A free TCP port on loopback (closed again, so a child process can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Nginx {
  readonly port: number;
  /** ws://127.0.0.1:port/ws, through the proxy. */
  readonly wsUrl: string;
  readonly url: string;
  /** HTTP statuses nginx logged, by status (101 for upgrades, logged when they end). */
  statuses(): Map<number, number>;
  stop(): Promise<void>;
}

export async function startNginx(options: { upstreamPort: number; workerConnections?: number }): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'agentwire-nginx-'));
  const port = await freePort();
  const workerConnections = options.workerConnections ?? 10_000;
  writeFileSync(join(dir, 'nginx.conf'), config(dir, port, options.upstreamPort, workerConnections));
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, () => (child.exitCode !== null ? `nginx exited with ${child.exitCode}: ${stderr}${readLog(dir)}` : undefined));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    statuses: () => {
      const counts = new Map<number, number>();
      for (const line of readFileSync(join(dir, 'access.log'), 'utf8').split('\n')) {
        if (line !== '') counts.set(Number(line), (counts.get(Number(line)) ?? 0) + 1);
      }
      return counts;
    },
    async stop() {
      // SIGTERM is nginx's fast shutdown: it closes every connection and exits.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function config(dir: string, port: number, upstreamPort: number, workerConnections: number): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join('\n');
  return `daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile ${workerConnections * 2 + 100};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections ${workerConnections}; }
http {
  log_format status '$status';
  access_log ${join(dir, 'access.log')} status;
${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream agentwire { server 127.0.0.1:${upstreamPort}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://agentwire;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

async function waitForPort(port: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const problem = failed();
    if (problem !== undefined) throw new Error(problem);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
