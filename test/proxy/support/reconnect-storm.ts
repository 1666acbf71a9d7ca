/**
 * A reconnect storm behind a real reverse proxy: N users of the real client connect through
 * nginx to a server process on SQLite, each receives a run's events, some are mid-run, and the
 * server is killed (SIGKILL) and started again on the same file and port. Every connection
 * drops at once; every client reconnects through the proxy and resumes. Measured: the time
 * until the last one caught up, the 429s anyone saw (client side and nginx's log), and what
 * each client was sent: every seq once, in order, on every connection and over its lifetime.
 * Used by the storm test and by `npm run chaos`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { AgentwireClient, isTerminalType, type AgentEvent, type ConnectionEstablished, type WebSocketConstructor } from 'agentwire/client';
import { spawnServer, type ChildServer } from '../../helpers/child-server.js';
import { freePort, startNginx, type Nginx } from '../../helpers/nginx.js';
import { streamInput } from '../../helpers/server.js';
import { signToken } from '../../helpers/tokens.js';
import { range } from '../../helpers/ws-client.js';

export interface StormOptions {
  connections: number;
  /** Every this-many-th user is in the middle of a long run when the server dies (default 10). */
  midRunEvery?: number;
  /** Give up waiting for a phase after this long (default 60 s). */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface StormReport {
  connections: number;
  midRun: number;
  /** From the kill to the last client having every event up to its head (ms). */
  lastCaughtUpMs: number;
  /** From the new server listening to the last client caught up (ms). */
  lastCaughtUpAfterListenMs: number;
  medianCaughtUpMs: number;
  restartMs: number;
  caughtUp: number;
  /** Upgrades refused with HTTP 429 while the clients first connected. */
  connectRefused429: number;
  /** Upgrades refused with HTTP 429 after the restart, as the clients saw them. */
  refused429: number;
  /** 429s in nginx's access log (what the server answered through the proxy). */
  proxy429: number;
  /** Clients whose application events were not exactly 1..head, in order. */
  wrongSequence: number;
  /** Connections that were sent a seq twice or out of order. */
  connectionsWithRepeats: number;
  /** Mid-run users that did not get exactly one terminal event for their interrupted run. */
  missingTerminal: number;
}

interface User {
  client: AgentwireClient;
  events: AgentEvent[];
  /** Seqs of event frames, per connection, as they came off the wire. */
  wire: number[][];
  established: ConnectionEstablished[];
  longRunId?: string;
  caughtUpAt?: number;
}

const TERMINAL_TIMEOUT_MS = 60_000;

export async function runReconnectStorm(options: StormOptions): Promise<StormReport> {
  const log = options.log ?? (() => undefined);
  const timeout = options.phaseTimeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'agentwire-storm-'));
  const port = await freePort();
  const env = {
    AGENTWIRE_STORE: `sqlite:${join(dir, 'storm.db')}`,
    AGENTWIRE_TRUSTED_PROXIES: '127.0.0.1',
    AGENTWIRE_MAX_CONCURRENT_RUNS: '500',
    AGENTWIRE_LOG_LEVEL: 'error',
  };
  let server: ChildServer | undefined = await spawnServer(env, { port, startTimeoutMs: 60_000 });
  let nginx: Nginx | undefined;
  const counts = { refused429: 0 };
  const users: User[] = [];
  try {
    nginx = await startNginx({ upstreamPort: port, workerConnections: Math.max(4_096, options.connections * 3) });
    await connectAll(users, options.connections, nginx.wsUrl, counts, timeout, log);
    await firstRuns(users, timeout, log);
    const midRun = await startLongRuns(users, options.midRunEvery ?? 10, timeout);
    log(`${midRun} users mid-run; killing the server`);
    const connectRefused429 = counts.refused429;
    counts.refused429 = 0;

    const killedAt = performance.now();
    await server.kill('SIGKILL');
    server = await spawnServer(env, { port, startTimeoutMs: 60_000 });
    const listeningAt = performance.now();
    log(`server back after ${Math.round(listeningAt - killedAt)} ms`);
    // Every user is checked on every poll (no short-circuit), so each one's time is its own.
    await until(() => users.filter((u) => !caughtUp(u)).length === 0, timeout, () => `${users.filter((u) => u.caughtUpAt !== undefined).length} of ${users.length} caught up; ${counts.refused429} refused with 429`);

    const times = users.map((u) => (u.caughtUpAt ?? Infinity) - killedAt).sort((a, b) => a - b);
    const last = times.at(-1) ?? 0;
    return {
      connections: users.length,
      midRun,
      lastCaughtUpMs: Math.round(last),
      lastCaughtUpAfterListenMs: Math.round(last - (listeningAt - killedAt)),
      medianCaughtUpMs: Math.round(times[Math.floor(times.length / 2)] ?? 0),
      restartMs: Math.round(listeningAt - killedAt),
      caughtUp: users.filter((u) => u.caughtUpAt !== undefined).length,
      connectRefused429,
      refused429: counts.refused429,
      proxy429: nginx.statuses().get(429) ?? 0,
      wrongSequence: users.filter((u) => !exactlyOnceInOrder(u.events.map((e) => e.seq), lastHead(u))).length,
      connectionsWithRepeats: users.reduce((n, u) => n + u.wire.filter((seqs) => seqs.some((s, i) => i > 0 && s <= seqs[i - 1]!)).length, 0),
      missingTerminal: users.filter((u) => u.longRunId !== undefined && u.events.filter((e) => e.runId === u.longRunId && isTerminalType(e.type)).length !== 1).length,
    };
  } finally {
    for (const user of users) user.client.close();
    await server?.kill('SIGKILL');
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens the clients through the proxy, a batch at a time (as users arrive, not all in one tick). */
async function connectAll(users: User[], n: number, url: string, counts: { refused429: number }, timeout: number, log: (line: string) => void): Promise<void> {
  const tokens = await Promise.all(range(1, n).map((i) => signToken(`storm-${i}`, { expiresIn: '2h' })));
  for (let from = 0; from < n; from += 250) {
    const batch = tokens.slice(from, from + 250).map((token) => newUser(token, url, counts));
    users.push(...batch);
    await withTimeout(Promise.all(batch.map((u) => u.client.connect())), timeout, () => `${users.filter((u) => u.established.length > 0).length} of ${n} connected; ${counts.refused429} refused with 429`);
  }
  log(`${n} connected through nginx (${counts.refused429} upgrades refused with 429 on the way)`);
}

function newUser(token: string, url: string, counts: { refused429: number }): User {
  const user: User = { client: undefined as unknown as AgentwireClient, events: [], wire: [], established: [] };
  user.client = new AgentwireClient({ url, token, WebSocket: recordingSocket(user, counts), connectTimeoutMs: 30_000 });
  user.client.on('event', (event) => user.events.push(event));
  user.client.on('connected', (established) => user.established.push(established));
  user.client.on('error', () => undefined);
  return user;
}

/** Every user runs a short stream and receives all of it: each has events before the storm. */
async function firstRuns(users: User[], timeout: number, log: (line: string) => void): Promise<void> {
  const runs = await withTimeout(Promise.all(users.map((u) => u.client.send(streamInput(2), { agent: 'stream' }))), timeout, () => 'first runs not accepted');
  await until(() => users.every((u, i) => u.events.some((e) => e.runId === runs[i]!.runId && isTerminalType(e.type))), TERMINAL_TIMEOUT_MS, () => `${users.filter((u) => u.events.some((e) => isTerminalType(e.type))).length} of ${users.length} finished their first run`);
  log(`every user received its first run (${users.reduce((n, u) => n + u.events.length, 0)} events)`);
}

/** Every n-th user starts a long run and has seen part of it when the server dies. */
async function startLongRuns(users: User[], every: number, timeout: number): Promise<number> {
  const chosen = users.filter((_u, i) => i % every === 0);
  await withTimeout(
    Promise.all(chosen.map(async (u) => {
      u.longRunId = (await u.client.send(streamInput(10_000, 100), { agent: 'stream' })).runId;
    })),
    timeout,
    () => 'long runs not accepted',
  );
  await until(() => chosen.every((u) => u.events.filter((e) => e.runId === u.longRunId).length >= 3), timeout, () => 'long runs did not start');
  return chosen.length;
}

function caughtUp(user: User): boolean {
  if (user.caughtUpAt !== undefined) return true;
  const after = user.established.at(-1);
  if (user.established.length < 2 || after === undefined) return false;
  const seqs = user.events.map((e) => e.seq);
  if ((seqs.at(-1) ?? 0) < after.lastSeq) return false;
  // The interrupted run must have its terminal event (agent_death, written by the new process).
  if (user.longRunId !== undefined && !user.events.some((e) => e.runId === user.longRunId && isTerminalType(e.type))) return false;
  user.caughtUpAt = performance.now();
  return true;
}

function lastHead(user: User): number {
  return Math.max(user.established.at(-1)?.lastSeq ?? 0, user.events.at(-1)?.seq ?? 0);
}

function exactlyOnceInOrder(seqs: number[], head: number): boolean {
  return seqs.length === head && seqs.every((s, i) => s === i + 1);
}

/** The `ws` WebSocket, recording each event frame's seq per connection and counting 429 refusals. */
function recordingSocket(user: User, counts: { refused429: number }): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: false });
      const seqs: number[] = [];
      user.wire.push(seqs);
      this.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString('utf8')) as { seq?: unknown };
        if (typeof frame.seq === 'number') seqs.push(frame.seq);
      });
      this.on('error', (error: Error) => {
        if (/Unexpected server response: 429/.test(error.message)) counts.refused429++;
      });
    }
  } as unknown as WebSocketConstructor;
}

async function until(check: () => boolean, timeoutMs: number, progress: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`storm: not done in ${timeoutMs} ms: ${progress()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, progress: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`storm: not done in ${ms} ms: ${progress()}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
