/**
 * Measurement shared by every system: a wall clock with sub-millisecond resolution, and the
 * window of one load step (delivered events, latency histogram, server CPU, load generator
 * busyness).
 */
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import type { Sink } from './clients.js';

let offset = 0;

/**
 * Aligns the high-resolution clock with Date.now() at a millisecond edge, so a receipt time
 * can be compared with the server's Date.now()-based `ts` (both on this machine's clock).
 */
export function calibrateClock(): void {
  // Anything that delays the performance.now() read after the edge (a preemption on a busy
  // machine) only makes the offset smaller, so the largest of a few samples is the right one.
  let best = Number.NEGATIVE_INFINITY;
  for (let sample = 0; sample < 5; sample += 1) {
    const start = Date.now();
    let now = start;
    while (now === start) now = Date.now();
    best = Math.max(best, now - performance.now());
  }
  offset = best;
}

/** Milliseconds since the epoch, with a fraction. */
export function wallNow(): number {
  return offset + performance.now();
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** The whole histogram (microseconds), HdrHistogram's compressed base64 encoding. */
  histogram: string;
}

export interface StepResult {
  intervalMs: number;
  /** Length of the measuring window (at least two intervals). */
  windowMs: number;
  /** Aggregate rate asked for: users × 1000 / (interval + 1), see rateOf(). */
  targetPerSec: number;
  deliveredPerSec: number;
  latencyMs: LatencySummary;
  /** Server CPU (all nodes) during the window, in cores (1 = one core busy). */
  serverCpu: number;
  /** Event-loop utilisation of the load generator during the window (near 1: the client is the bottleneck). */
  loadgenElu: number;
  /**
   * Share of the window the server's event loop was runnable but waiting for a CPU (other
   * processes on its core), and the same for the load generator: the noise of a shared machine.
   */
  serverCpuWait: number;
  loadgenCpuWait: number;
  /** The server's event-loop delay during the window (ms; worst node): how long its loop was blocked at a time. */
  serverLoopDelayMs: { p99: number; max: number };
  errors: number;
  /** Whether every user's run was streaming before the window opened. */
  allStreaming: boolean;
  /** Whether every run ended and the pipe went quiet before the next step. */
  drained: boolean;
  passed: boolean;
}

/** Receives the events of one step and keeps those that arrive inside the measuring window. */
export class StepWindow implements Sink {
  readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  delivered = 0;
  received = 0;
  terminals = 0;
  errors = 0;
  lastArrival = 0;
  firstError: string | undefined;

  /** The measuring window, set once every run is streaming (until then nothing is kept). */
  from = Number.POSITIVE_INFINITY;
  to = Number.POSITIVE_INFINITY;

  delta(ts: number): void {
    const now = wallNow();
    this.received += 1;
    this.lastArrival = now;
    if (now >= this.from && now < this.to) {
      this.delivered += 1;
      // Microseconds; the server's ts is truncated to the millisecond, so latencies read up to 1 ms high.
      this.histogram.recordValue(Math.max(1, Math.round((now - ts) * 1000)));
    }
  }

  terminal(): void {
    this.terminals += 1;
    this.lastArrival = wallNow();
  }

  error(message: string): void {
    this.errors += 1;
    this.firstError ??= message.slice(0, 300);
  }

  latency(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number): number => Math.round(us) / 1000;
    const summary = {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
      mean: Math.round(h.mean) / 1000,
      histogram: hdr.encodeIntoCompressedBase64(h),
    };
    h.destroy();
    return summary;
  }
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
