/**
 * The two workloads, identical for every system:
 *   idle    N authenticated connections, server memory per connection (ΔRSS after GC / N);
 *   fanout  U users, one connection and one streaming run each, at an aggregate rate set by
 *           the interval between a run's events.
 */
import { performance } from 'node:perf_hooks';
import { connectMany, type Link } from './clients.js';
import { calibrateClock, sleep, StepWindow, wallNow, type StepResult } from './measure.js';
import { schedWaitSeconds } from './processes.js';
import type { RunningSystem } from './systems.js';

export interface IdleResult {
  connections: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerConnection: number;
  connectSeconds: number;
}

const WARM_CONNECTIONS = 50;

function userIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}

function closeAll(links: Link[]): void {
  for (const link of links) link.close();
}

export async function idleWorkload(system: RunningSystem, count: number): Promise<IdleResult> {
  const { client } = system.spec;
  // Connections opened and closed first, so one-time costs (lazily loaded code, JIT, pools) are
  // in the baseline rather than divided among the measured connections.
  closeAll(await connectMany(client, system.urls, userIds('warm', WARM_CONNECTIONS)));
  await sleep(300);
  const rssBefore = await system.rss();
  const started = performance.now();
  const links = await connectMany(client, system.urls, userIds('idle', count), 500);
  const connectSeconds = (performance.now() - started) / 1000;
  await sleep(500);
  const rssAfter = await system.rss();
  closeAll(links);
  await sleep(500);
  return { connections: count, rssBefore, rssAfter, bytesPerConnection: Math.round((rssAfter - rssBefore) / count), connectSeconds };
}

export interface FanoutConfig {
  users: number;
  warmupMs: number;
  windowMs: number;
  /** A step passes while p99 ≤ this… */
  p99LimitMs: number;
  /** …and at least this fraction of the asked-for rate arrives inside the window. */
  minDeliveredRatio: number;
  /** First interval of a ramp with no seed from an earlier round (also the warm-up step's). */
  startIntervalMs: number;
  drainTimeoutMs: number;
}

/**
 * The rate U users produce when each run sleeps `intervalMs` between events. A run's loop (the
 * agent's, and the peers' copy of it) sleeps with a Node timer, which fires on the event loop's
 * millisecond clock about one millisecond late, so an ideal server delivers U × 1000 / (I + 1)
 * events/s, not U × 1000 / I; measured against the latter, a slower timer would pass for a
 * slower server.
 */
export function rateOf(users: number, intervalMs: number): number {
  return (users * 1000) / (intervalMs + 1);
}

export function intervalFor(users: number, ratePerSec: number): number {
  return Math.max(1, Math.round((users * 1000) / ratePerSec - 1));
}

/** How long a step waits for every user's run to stream its first event before it measures anyway. */
const START_ALLOWANCE_MS = 3_000;

export class FanoutSession {
  private constructor(
    private readonly system: RunningSystem,
    private readonly links: Link[],
    private readonly config: FanoutConfig,
  ) {}

  static async open(system: RunningSystem, config: FanoutConfig): Promise<FanoutSession> {
    const links = await connectMany(system.spec.client, system.urls, userIds('user', config.users), 200);
    return new FanoutSession(system, links, config);
  }

  close(): void {
    closeAll(this.links);
  }

  /** One load step: every user's agent streams events `intervalMs` apart; measured over the window. */
  /**
   * One load step: every user's agent streams events `intervalMs` apart. The window opens only
   * once every user has received a first event (plus half the warm-up), so that the burst of
   * U run starts — cheap for the peers, a few store writes each for agentwire — is not what
   * the step measures.
   */
  async step(intervalMs: number, requestedWindowMs = this.config.windowMs): Promise<StepResult> {
    const { users, warmupMs, drainTimeoutMs } = this.config;
    // At slow rates a user sends one or two events per window; two intervals at least keep
    // the count from depending on where the users' phases happen to fall.
    const windowMs = Math.max(requestedWindowMs, 2 * intervalMs);
    calibrateClock();
    const begin = wallNow() + 20;
    const window = new StepWindow();
    let streaming = 0;
    for (const link of this.links) {
      let first = true;
      link.setSink({
        delta(ts) {
          if (first) {
            first = false;
            streaming += 1;
          }
          window.delta(ts);
        },
        terminal: () => window.terminal(),
        error: (message) => window.error(message),
      });
    }
    // Runs are long enough for the start allowance, the warm-up and the window, a quarter more
    // so that timer drift does not end them early; whatever still runs at the end is cancelled.
    const events = Math.ceil(((START_ALLOWANCE_MS + warmupMs + windowMs) / intervalMs) * 1.25) + 2;
    // Starts spread over a whole interval: the users' events then fall evenly in time, and a
    // window shorter than the interval still sees the asked-for rate.
    const stagger = intervalMs;
    this.links.forEach((link, index) => {
      setTimeout(() => link.start(events, intervalMs), 20 + (index / users) * stagger);
    });
    const allStreaming = await this.#until(() => streaming === users, START_ALLOWANCE_MS + stagger);
    window.from = Math.max(begin + warmupMs, wallNow() + warmupMs / 2);
    window.to = window.from + windowMs;
    await sleep(window.from - wallNow());
    // Resets the servers' event-loop delay histograms; a server that died fails the step below.
    this.system.loopDelay().catch(() => undefined);
    const cpuBefore = this.system.cpuSeconds();
    const waitBefore = this.system.cpuWaitSeconds();
    const selfWaitBefore = schedWaitSeconds('self');
    const eluBefore = performance.eventLoopUtilization();
    await sleep(window.to - wallNow());
    const seconds = windowMs / 1000;
    const serverCpu = (this.system.cpuSeconds() - cpuBefore) / seconds;
    const serverCpuWait = (this.system.cpuWaitSeconds() - waitBefore) / seconds;
    const loadgenCpuWait = (schedWaitSeconds('self') - selfWaitBefore) / seconds;
    const loadgenElu = performance.eventLoopUtilization(eluBefore).utilization;
    const serverLoopDelayMs = await this.system.loopDelay();
    for (const link of this.links) link.stop();
    const drained = await this.#drain(window, drainTimeoutMs);
    const latencyMs = window.latency();
    const targetPerSec = rateOf(users, intervalMs);
    const deliveredPerSec = window.delivered / seconds;
    const passed =
      allStreaming && drained && window.errors === 0 && latencyMs.p99 <= this.config.p99LimitMs && deliveredPerSec >= this.config.minDeliveredRatio * targetPerSec;
    if (window.firstError) process.stderr.write(`  server error frame: ${window.firstError}\n`);
    if (!allStreaming) process.stderr.write(`  only ${streaming} of ${users} runs were streaming after ${START_ALLOWANCE_MS + stagger} ms\n`);
    return { intervalMs, windowMs, targetPerSec, deliveredPerSec, latencyMs, serverCpu, loadgenElu, serverCpuWait, loadgenCpuWait, serverLoopDelayMs, errors: window.errors, allStreaming, drained, passed };
  }

  async #until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = wallNow() + timeoutMs;
    while (!check()) {
      if (wallNow() >= deadline) return false;
      await sleep(10);
    }
    return true;
  }

  /** Waits until every run has ended and nothing arrived for 200 ms. */
  async #drain(window: StepWindow, timeoutMs: number): Promise<boolean> {
    const deadline = wallNow() + timeoutMs;
    while (wallNow() < deadline) {
      const ended = this.links.every((link) => !link.running);
      if (ended && wallNow() - window.lastArrival > 200) return true;
      await sleep(50);
    }
    return false;
  }
}

export interface RampResult {
  steps: StepResult[];
  /** The passing step with the highest delivered rate. */
  best: StepResult | undefined;
}

/**
 * Brackets the fastest passing interval, then bisects it. Without a seed it halves the interval
 * (doubles the rate) from the start until a step fails, or doubles it until one passes; with an
 * earlier round's best interval as the seed it moves in steps of 15 % (down) or 30 % (up, then
 * doubling), so later rounds take a few steps instead of a full ramp. At most 7 steps (4 when
 * seeded): past that the best passing step so far stands.
 */
export async function ramp(session: FanoutSession, config: FanoutConfig, seedIntervalMs: number | undefined, log: (step: StepResult) => void): Promise<RampResult> {
  const steps: StepResult[] = [];
  const tried = new Map<number, boolean>();
  // Caps that keep a full run within its time budget when a noisy machine makes steps fail at random.
  const maxSteps = seedIntervalMs === undefined ? 7 : 4;
  const run = async (interval: number): Promise<boolean> => {
    const known = tried.get(interval);
    if (known !== undefined) return known;
    if (steps.length >= maxSteps) return false;
    const step = await session.step(interval);
    steps.push(step);
    log(step);
    tried.set(interval, step.passed);
    return step.passed;
  };
  const [start, down, up] = seedIntervalMs === undefined ? [config.startIntervalMs, 0.5, 2] : [Math.max(1, Math.round(seedIntervalMs)), 0.85, 1.3];
  let pass: number | undefined;
  let fail: number | undefined;
  let interval = start;
  for (let tries = 1; steps.length < maxSteps; tries += 1) {
    if (await run(interval)) {
      pass = interval;
      if (fail !== undefined || interval === 1) break;
      interval = Math.max(1, Math.min(interval - 1, Math.floor(interval * (tries > 3 ? 0.5 : down))));
    } else {
      fail = interval;
      if (pass !== undefined || interval >= MAX_INTERVAL_MS) break;
      interval = Math.min(MAX_INTERVAL_MS, Math.max(interval + 1, Math.ceil(interval * (tries > 1 ? 2 : up))));
    }
  }
  // Bisect until the bracket is within 20 % of rate (or one millisecond).
  while (pass !== undefined && fail !== undefined && pass - fail > 1 && pass / fail > 1.2 && steps.length < maxSteps) {
    const middle = Math.round((pass + fail) / 2);
    if (await run(middle)) pass = middle;
    else fail = middle;
  }
  const passing = steps.filter((step) => step.passed);
  const best = passing.reduce<StepResult | undefined>((top, step) => (top === undefined || step.deliveredPerSec > top.deliveredPerSec ? step : top), undefined);
  return { steps, best };
}

/** The slowest a ramp goes: past this a system that still fails is reported as having no passing rate. */
const MAX_INTERVAL_MS = 4_096;
