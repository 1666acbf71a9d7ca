/**
 * What the browser tests need: the built chat page (built here when web/dist is missing or
 * older than its sources), Debian's Chromium driven by playwright-core (never a downloaded
 * browser), and a TCP proxy in front of the server that can cut every connection and refuse
 * new ones, which is what a dropped network looks like to the page.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = join(ROOT, 'web', 'dist');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary, or undefined (with a loud warning) when the machine has none. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const message = `Chromium not found at ${path}: install the Debian package (apt-get install chromium) or set CHROMIUM_PATH`;
  if (process.env.AGENTWIRE_REQUIRE_SERVICES === '1') throw new Error(`${message} (AGENTWIRE_REQUIRE_SERVICES=1)`);
  console.warn(`\n!!! SKIPPING the browser tests. ${message}.\n`);
  return undefined;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // chromium.launch gives every launch a fresh temporary profile.
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 20_000 });
}

/** Builds web/dist with Vite unless it is newer than everything it is built from. */
export async function ensurePageBuilt(): Promise<void> {
  const built = join(WEB_DIST, 'index.html');
  const sources = ['web/index.html', 'web/vite.config.ts', 'web/src', 'web/public', 'src/client', 'src/react', 'src/protocol', 'package.json'];
  const newest = Math.max(...sources.map((s) => newestMtime(join(ROOT, s))));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(ROOT, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A TCP proxy to `port` on loopback: cut() drops every connection, refuse() turns new ones away. */
export interface CutProxy {
  readonly port: number;
  readonly url: string;
  cut(): void;
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    refuse(value) {
      refusing = value;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
