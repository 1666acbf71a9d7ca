/**
 * The chaos harness: a real server process on SQLite, N users running agents continuously
 * through the real SDK, and faults: a random share of connections cut every second, a few
 * clients that stop reading, the server SIGKILLed and restarted on the same file, one agent
 * that stops sending heartbeats, and resume bursts (several in-band resumes in one TCP write)
 * from a share of clients. At the end every figure comes from each client's own record,
 * checked against what the server stored, and from the raw frames each connection received
 * (a seq sent twice on one connection counts even though the SDK would hide it).
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentwireClient, type AgentEvent } from 'agentwire/client';
import { spawnServer, type ChildServer } from '../helpers/child-server.js';
import { FaultController } from '../helpers/fault-socket.js';
import { signToken } from '../helpers/tokens.js';

export interface ChaosOptions {
  users: number;
  seconds: number;
  /** Share of client connections cut every second (default 0.1). */
  cutFraction?: number;
  /** Share of clients that stop reading for a while, repeatedly (default 0.01, at least 1). */
  slowFraction?: number;
  /** Share of clients that write a burst of in-band resumes each second, in rotation (default 0.05). */
  burstFraction?: number;
  /** SIGKILL and restart the server once, at half time (default true). */
  killServer?: boolean;
  log?: (line: string) => void;
}

export interface ChaosReport {
  users: number;
  seconds: number;
  published: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  wrongUser: number;
  runs: number;
  runsWithoutExactlyOneTerminal: number;
  terminals: Record<string, number>;
  noHeartbeatDeaths: number;
  nodeLostDeaths: number;
  cuts: number;
  reconnects: number;
  /** From the new connection's connection_established to its `resumed` (the replay). */
  reconnectToCaughtUpMs: { count: number; p50: number; p99: number; max: number };
  /** From losing the connection to being caught up again (backoff + connect + replay). */
  outageMs: { count: number; p50: number; p99: number; max: number };
  slowConsumerStalls: number;
  /** Bursts of in-band resumes written (each several resumes in one TCP write). */
  resumeBursts: number;
  /** Seqs a connection received more than once, counted on the raw frames of every connection. */
  wireDuplicates: number;
  slowConsumerCloses: number;
  serverRestarts: number;
  serverMaxRssMb: number;
  deliveryRatio: { server: number; clients: number };
}

interface UserRecord {
  userId: string;
  client: AgentwireClient;
  controller: FaultController;
  slow: boolean;
  events: { seq: number; eventId: string; runId: string; type: string; userId: string }[];
  eventIds: Set<string>;
  lastSeq: number;
  duplicates: number;
  outOfOrder: number;
  wrongUser: number;
  reconnectStartedAt: number | undefined;
  caughtUpMs: number[];
  disconnectedAt: number | undefined;
  outageMs: number[];
  connections: number;
  threadId: string | undefined;
}

const SERVER_ENV = {
  AGENTWIRE_CONNECTIONS_PER_SECOND_PER_IP: '1000000',
  AGENTWIRE_HEARTBEAT_TIMEOUT_MS: '3000',
  AGENTWIRE_SLOW_CONSUMER_TIMEOUT_MS: '3000',
  AGENTWIRE_OUTBOUND_BUFFER_BYTES: String(256 * 1024),
  AGENTWIRE_RETENTION_EVENTS: '1000000',
  AGENTWIRE_MAX_CONCURRENT_RUNS: '5000',
  AGENTWIRE_PING_INTERVAL_MS: '5000',
};

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const port = await freePort();
  const env = { ...SERVER_ENV, AGENTWIRE_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'agentwire-chaos-')), 'chaos.db')}` };
  let server: ChildServer = await spawnServer(env, { port });
  const wsUrl = server.wsUrl;
  const httpUrl = server.url;
  const slowCount = Math.max(1, Math.round(options.users * (options.slowFraction ?? 0.01)));
  const users = await Promise.all(Array.from({ length: options.users }, (_, i) => connectUser(`chaos-${i}`, wsUrl, i < slowCount)));
  log(`${users.length} users connected (${slowCount} slow)`);

  let stopping = false;
  let maxRss = 0;
  let cuts = 0;
  let stalls = 0;
  let restarts = 0;
  let bursts = 0;
  const burstEvery = Math.max(1, Math.round(1 / (options.burstFraction ?? 0.05)));
  const loops = users.map((user, index) => runLoop(user, index === slowCount, () => stopping));
  const rssPoll = setInterval(() => {
    void readMetric(httpUrl, 'agentwire_process_resident_memory_bytes').then((rss) => {
      if (rss !== undefined) maxRss = Math.max(maxRss, rss);
    });
  }, 1000);

  const started = Date.now();
  for (let second = 1; second <= options.seconds; second++) {
    await sleep(started + second * 1000 - Date.now());
    for (const [index, user] of users.entries()) {
      if (Math.random() < (options.cutFraction ?? 0.1) && user.controller.cut()) cuts += 1;
      if (index % burstEvery === second % burstEvery && resumeBurst(user)) bursts += 1;
      if (user.slow && second % 8 === 1) {
        user.controller.current?.stall(6000);
        stalls += 1;
      }
    }
    if ((options.killServer ?? true) && second === Math.floor(options.seconds / 2)) {
      log('SIGKILL the server');
      await server.kill('SIGKILL');
      await sleep(500);
      server = await spawnServer(env, { port });
      restarts += 1;
      log('server restarted on the same SQLite file');
    }
    if (second % 10 === 0) log(`${second}s: ${users.reduce((n, u) => n + u.events.length, 0)} events delivered`);
  }

  stopping = true;
  log('faults stopped; letting runs finish and clients catch up');
  await Promise.race([Promise.all(loops), sleep(60_000)]);
  const published = await serverRecord(users);
  await waitCaughtUp(users, published, 60_000);
  await sleep(1000);
  const serverRatio = (await readMetric(httpUrl, 'agentwire_delivery_ratio')) ?? Number.NaN;
  const slowCloses = (await readMetric(httpUrl, 'agentwire_slow_consumer_closes_total')) ?? 0;
  clearInterval(rssPoll);
  for (const user of users) user.client.close();
  await server.kill('SIGTERM');
  return report(options, users, published, { cuts, stalls, restarts, bursts, maxRss, serverRatio, slowCloses });
}

/**
 * Writes five in-band resumes in one TCP write on the user's open connection, for points at
 * and below what it has (the server replays what this connection has not carried, once).
 */
function resumeBurst(user: UserRecord): boolean {
  const socket = user.controller.current;
  const position = user.client.position;
  if (socket?.readyState !== 1 || !position) return false;
  const points = [0, 1, 2, 3, 4].map((i) => Math.max(0, position.lastSeq - i * Math.floor(Math.random() * 40)));
  void socket.burst(points.map((lastSeq) => JSON.stringify({ type: 'resume', lastSeq, epoch: position.epoch })));
  return true;
}

/** Seqs received twice on one connection, from the raw frames of every connection. */
function wireDuplicates(users: UserRecord[]): number {
  let twice = 0;
  for (const user of users) {
    for (const frames of user.controller.arrived) {
      const seen = new Set<number>();
      for (const raw of frames) {
        const match = /^\{"v":1,[^]*?"seq":(\d+)/.exec(raw.slice(0, 120));
        if (!match) continue;
        const seq = Number(match[1]);
        if (seen.has(seq)) twice += 1;
        seen.add(seq);
      }
    }
  }
  return twice;
}

async function connectUser(userId: string, wsUrl: string, slow: boolean): Promise<UserRecord> {
  const controller = new FaultController();
  const client = new AgentwireClient({
    url: wsUrl,
    token: () => signToken(userId, { expiresIn: '2h' }),
    WebSocket: controller.WebSocket(),
    backoff: { initialDelayMs: 100, maxDelayMs: 2000 },
  });
  const user: UserRecord = {
    userId, client, controller, slow, events: [], eventIds: new Set(), lastSeq: 0,
    duplicates: 0, outOfOrder: 0, wrongUser: 0, reconnectStartedAt: undefined, caughtUpMs: [], disconnectedAt: undefined, outageMs: [], connections: 0, threadId: undefined,
  };
  client.on('event', (event) => record(user, event));
  client.on('connected', () => {
    user.connections += 1;
    if (user.connections > 1) user.reconnectStartedAt = Date.now();
  });
  client.on('state', ({ to }) => {
    if (to === 'reconnecting' && user.disconnectedAt === undefined) user.disconnectedAt = Date.now();
  });
  client.on('resumed', () => {
    if (user.reconnectStartedAt !== undefined) user.caughtUpMs.push(Date.now() - user.reconnectStartedAt);
    if (user.disconnectedAt !== undefined) user.outageMs.push(Date.now() - user.disconnectedAt);
    user.reconnectStartedAt = undefined;
    user.disconnectedAt = undefined;
  });
  await client.connect();
  return user;
}

function record(user: UserRecord, event: AgentEvent): void {
  if (event.userId !== user.userId) user.wrongUser += 1;
  if (user.eventIds.has(event.eventId)) {
    user.duplicates += 1;
    return;
  }
  if (event.seq !== user.lastSeq + 1) user.outOfOrder += 1;
  user.lastSeq = event.seq;
  user.eventIds.add(event.eventId);
  user.events.push({ seq: event.seq, eventId: event.eventId, runId: event.runId, type: event.type, userId: event.userId });
}

/** Each user runs agents back to back until told to stop; one run (user `stallUser`) goes silent. */
async function runLoop(user: UserRecord, stalls: boolean, stopping: () => boolean): Promise<void> {
  let stalledOnce = false;
  while (!stopping()) {
    const events = user.slow ? 400 : 20 + Math.floor(Math.random() * 40);
    // Slow readers get heavy runs, so that a stalled read fills the kernel's buffers and the server's.
    const request: Record<string, number> = { events, intervalMs: user.slow ? 5 : 10 + Math.floor(Math.random() * 30), bytes: user.slow ? 16_384 : 60 };
    if (stalls && !stalledOnce) {
      request.stallAfter = 5;
      stalledOnce = true;
    }
    try {
      const { runId, threadId } = await user.client.send(JSON.stringify(request), { agent: 'stream', ...(user.threadId ? { threadId: user.threadId } : {}) });
      user.threadId = threadId;
      await user.client.run(runId).done;
    } catch (error) {
      // A refused send (e.g. the server was restarting) is retried by the next iteration.
      if (stopping()) return;
      await sleep(200);
      if ((error as { code?: string }).code === 'CLOSED') return;
    }
  }
}

interface Published {
  byUser: Map<string, { eventIds: Set<string>; lastSeq: number; runs: Map<string, string[]> }>;
}

/** What the server stored for each user: its threads' events over HTTP. */
async function serverRecord(users: UserRecord[]): Promise<Published> {
  const byUser: Published['byUser'] = new Map();
  for (const user of users) {
    const entry = { eventIds: new Set<string>(), lastSeq: 0, runs: new Map<string, string[]>() };
    for (const thread of await user.client.threads()) {
      const history = await user.client.history(thread.threadId, { all: true });
      for (const event of history.events) {
        entry.eventIds.add(event.eventId);
        entry.lastSeq = Math.max(entry.lastSeq, event.seq);
        const types = entry.runs.get(event.runId) ?? [];
        types.push(event.type);
        entry.runs.set(event.runId, types);
      }
    }
    byUser.set(user.userId, entry);
  }
  return { byUser };
}

async function waitCaughtUp(users: UserRecord[], published: Published, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (users.every((u) => u.lastSeq >= (published.byUser.get(u.userId)?.lastSeq ?? 0))) return;
    await sleep(100);
  }
}

function report(options: ChaosOptions, users: UserRecord[], published: Published, extra: { cuts: number; stalls: number; restarts: number; bursts: number; maxRss: number; serverRatio: number; slowCloses: number }): ChaosReport {
  let lost = 0;
  let publishedCount = 0;
  let delivered = 0;
  let runs = 0;
  let badRuns = 0;
  const terminals: Record<string, number> = {};
  let noHeartbeat = 0;
  let nodeLost = 0;
  for (const user of users) {
    const server = published.byUser.get(user.userId);
    if (!server) continue;
    publishedCount += server.eventIds.size;
    delivered += user.eventIds.size;
    for (const id of server.eventIds) if (!user.eventIds.has(id)) lost += 1;
    for (const [runId, types] of server.runs) {
      runs += 1;
      const ends = types.filter((t) => t === 'agent_completed' || t === 'agent_error' || t === 'agent_death');
      const mine = user.events.filter((e) => e.runId === runId);
      const last = mine[mine.length - 1];
      if (ends.length !== 1 || !last || last.type !== ends[0]) badRuns += 1;
      for (const t of ends) terminals[t] = (terminals[t] ?? 0) + 1;
    }
  }
  for (const user of users) {
    for (const e of user.events) {
      if (e.type !== 'agent_death') continue;
      const view = user.client.run(e.runId).terminal;
      const cause = view && view.type === 'agent_death' ? view.data.cause : undefined;
      if (cause === 'no_heartbeat') noHeartbeat += 1;
      if (cause === 'node_lost') nodeLost += 1;
    }
  }
  const caughtUp = users.flatMap((u) => u.caughtUpMs).sort((a, b) => a - b);
  const outages = users.flatMap((u) => u.outageMs).sort((a, b) => a - b);
  return {
    users: options.users,
    seconds: options.seconds,
    published: publishedCount,
    delivered,
    lost,
    duplicates: users.reduce((n, u) => n + u.duplicates, 0),
    outOfOrder: users.reduce((n, u) => n + u.outOfOrder, 0),
    wrongUser: users.reduce((n, u) => n + u.wrongUser, 0),
    runs,
    runsWithoutExactlyOneTerminal: badRuns,
    terminals,
    noHeartbeatDeaths: noHeartbeat,
    nodeLostDeaths: nodeLost,
    cuts: extra.cuts,
    reconnects: users.reduce((n, u) => n + Math.max(0, u.connections - 1), 0),
    reconnectToCaughtUpMs: summary(caughtUp),
    outageMs: summary(outages),
    slowConsumerStalls: extra.stalls,
    resumeBursts: extra.bursts,
    wireDuplicates: wireDuplicates(users),
    slowConsumerCloses: extra.slowCloses,
    serverRestarts: extra.restarts,
    serverMaxRssMb: Math.round((extra.maxRss / 1024 / 1024) * 10) / 10,
    deliveryRatio: { server: extra.serverRatio, clients: publishedCount === 0 ? 1 : (publishedCount - lost) / publishedCount },
  };
}

export function formatReport(report: ChaosReport): string {
  const rows: [string, string | number][] = [
    ['users × seconds', `${report.users} × ${report.seconds}`],
    ['events published (stored)', report.published],
    ['events delivered to the application', report.delivered],
    ['lost', report.lost],
    ['delivered twice', report.duplicates],
    ['out of order', report.outOfOrder],
    ['delivered to the wrong user', report.wrongUser],
    ['runs', report.runs],
    ['runs without exactly one terminal event', report.runsWithoutExactlyOneTerminal],
    ['terminal events', Object.entries(report.terminals).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['agent_death no_heartbeat / node_lost', `${report.noHeartbeatDeaths} / ${report.nodeLostDeaths}`],
    ['connections cut / reconnects', `${report.cuts} / ${report.reconnects}`],
    ['reconnect → caught up p50 / p99 / max (ms)', `${report.reconnectToCaughtUpMs.p50} / ${report.reconnectToCaughtUpMs.p99} / ${report.reconnectToCaughtUpMs.max} (n=${report.reconnectToCaughtUpMs.count})`],
    ['cut → caught up again p50 / p99 / max (ms)', `${report.outageMs.p50} / ${report.outageMs.p99} / ${report.outageMs.max} (n=${report.outageMs.count})`],
    ['resume bursts (5 resumes in one write)', report.resumeBursts],
    ['a seq sent twice on one connection (raw frames)', report.wireDuplicates],
    ['slow-consumer stalls / 4408 closes', `${report.slowConsumerStalls} / ${report.slowConsumerCloses}`],
    ['server SIGKILL + restarts', report.serverRestarts],
    ['server peak RSS (MB)', report.serverMaxRssMb],
    ['delivery ratio: /metrics vs clients', `${report.deliveryRatio.server.toFixed(6)} vs ${report.deliveryRatio.clients.toFixed(6)}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return ['| measure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`)].join('\n');
}

async function readMetric(httpUrl: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  } catch {
    return undefined;
  }
}

function summary(sorted: number[]): { count: number; p50: number; p99: number; max: number } {
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
