/** Turns the raw rounds into medians with their spread, the target ratios, and the Markdown table. */
import { median, type StepResult } from './measure.js';
import type { SystemName } from './systems.js';
import type { IdleResult, RampResult } from './workloads.js';

export interface SystemRound {
  system: SystemName;
  label: string;
  round: number;
  /** Position of the system in this round's order (0 = first). */
  position: number;
  idle?: IdleResult;
  ramp?: RampResult;
  fixed?: StepResult;
  error?: string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export interface SystemSummary {
  system: SystemName;
  label: string;
  maxPerSec?: Spread;
  fixedP50?: Spread;
  fixedP99?: Spread;
  fixedP999?: Spread;
  /** Delivered rate at the fixed step (a system that cannot sustain the fixed rate shows it here). */
  fixedDeliveredPerSec?: Spread;
  idleBytesPerConnection?: Spread;
  /** Server CPU (cores) at the best ramp step. */
  cpuAtMax?: Spread;
  /**
   * Mean share of each step's window that the server's event loop spent waiting for a CPU
   * (other processes on its core; for a 2-node system also the other node): the run's noise.
   */
  serverCpuWait?: Spread;
  errors: string[];
}

export interface TargetCheck {
  target: string;
  ratio: number;
  bound: number;
  /** "≥" or "≤". */
  direction: 'min' | 'max';
  met: boolean | undefined;
}

function spread(values: (number | undefined)[]): Spread | undefined {
  const samples = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (samples.length === 0) return undefined;
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

export function summarise(rounds: SystemRound[], systems: SystemName[]): SystemSummary[] {
  return systems.map((system) => {
    const mine = rounds.filter((round) => round.system === system);
    return {
      system,
      label: mine[0]?.label ?? system,
      ...optional('maxPerSec', spread(mine.map((r) => r.ramp?.best?.deliveredPerSec))),
      ...optional('fixedP50', spread(mine.map((r) => r.fixed?.latencyMs.p50))),
      ...optional('fixedP99', spread(mine.map((r) => r.fixed?.latencyMs.p99))),
      ...optional('fixedP999', spread(mine.map((r) => r.fixed?.latencyMs.p999))),
      ...optional('fixedDeliveredPerSec', spread(mine.map((r) => r.fixed?.deliveredPerSec))),
      ...optional('idleBytesPerConnection', spread(mine.map((r) => r.idle?.bytesPerConnection))),
      ...optional('cpuAtMax', spread(mine.map((r) => r.ramp?.best?.serverCpu))),
      ...optional('serverCpuWait', spread(mine.map((r) => meanWait([...(r.ramp?.steps ?? []), ...(r.fixed ? [r.fixed] : [])])))),
      errors: mine.flatMap((r) => (r.error ? [`round ${r.round}: ${r.error}`] : [])),
    };
  });
}

function meanWait(steps: StepResult[]): number | undefined {
  const waits = steps.map((step) => step.serverCpuWait).filter((w) => Number.isFinite(w));
  return waits.length === 0 ? undefined : waits.reduce((a, b) => a + b, 0) / waits.length;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function checkTargets(summaries: SystemSummary[]): TargetCheck[] {
  const of = (name: SystemName): SystemSummary | undefined => summaries.find((s) => s.system === name);
  const checks: TargetCheck[] = [];
  const add = (target: string, a: number | undefined, b: number | undefined, bound: number, direction: 'min' | 'max'): void => {
    if (a === undefined || b === undefined) return;
    const ratio = a / b;
    const met = Number.isFinite(ratio) ? (direction === 'min' ? ratio >= bound : ratio <= bound) : undefined;
    checks.push({ target, ratio, bound, direction, met });
  };
  const ws = of('ws');
  const sio = of('socketio');
  const memory = of('agentwire-memory');
  const sqlite = of('agentwire-sqlite');
  add('agentwire (memory) throughput / raw ws', memory?.maxPerSec?.median, ws?.maxPerSec?.median, 0.8, 'min');
  add('agentwire (memory) throughput / Socket.IO', memory?.maxPerSec?.median, sio?.maxPerSec?.median, 2, 'min');
  add('agentwire (SQLite) throughput / raw ws', sqlite?.maxPerSec?.median, ws?.maxPerSec?.median, 0.6, 'min');
  add('agentwire (memory) p99 at fixed rate / raw ws', memory?.fixedP99?.median, ws?.fixedP99?.median, 1.5, 'max');
  add('agentwire (SQLite) p99 at fixed rate / raw ws', sqlite?.fixedP99?.median, ws?.fixedP99?.median, 1.5, 'max');
  add('agentwire (memory) idle bytes per connection / raw ws', memory?.idleBytesPerConnection?.median, ws?.idleBytesPerConnection?.median, 1.5, 'max');
  add('agentwire (SQLite) idle bytes per connection / raw ws', sqlite?.idleBytesPerConnection?.median, ws?.idleBytesPerConnection?.median, 1.5, 'max');
  // A remote agent's cost: the same fan-out, produced by a worker process over HTTP (the bound is ours: at most 2× the in-process cost).
  add('agentwire (remote worker) throughput / agentwire (memory, in-process)', of('agentwire-remote')?.maxPerSec?.median, memory?.maxPerSec?.median, 0.5, 'min');
  add('agentwire (remote worker) p99 at fixed rate / agentwire (memory, in-process)', of('agentwire-remote')?.fixedP99?.median, memory?.fixedP99?.median, 2, 'max');
  add('agentwire (Redis, 2 nodes) throughput / Socket.IO (Redis, 2 nodes)', of('agentwire-redis')?.maxPerSec?.median, of('socketio-redis')?.maxPerSec?.median, 1.5, 'min');
  return checks;
}

function fmtRate(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(0)}k` : value >= 1000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
}

function fmtMs(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function fmtKiB(value: number): string {
  return (value / 1024).toFixed(1);
}

function fmtPct(value: number): string {
  return `${(value * 100).toFixed(0)}%`;
}

function cell(s: Spread | undefined, format: (value: number) => string): string {
  if (!s) return '—';
  return s.samples.length > 1 ? `${format(s.median)} (${format(s.min)}–${format(s.max)})` : format(s.median);
}

export interface TableContext {
  rounds: number;
  fixedRatePerSec: number | undefined;
  users: number;
  connections: number;
}

export function markdownTable(summaries: SystemSummary[], checks: TargetCheck[], context: TableContext): string {
  const fixed = context.fixedRatePerSec === undefined ? 'fixed rate' : `${fmtRate(context.fixedRatePerSec)} ev/s`;
  const lines = [
    `| system | max events/s (p99 ≤ 100 ms) | p50 ms at ${fixed} | p99 ms at ${fixed} | p99.9 ms at ${fixed} | idle KiB/conn (${context.connections}) | server waited for CPU |`,
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of summaries) {
    const short = s.fixedDeliveredPerSec && context.fixedRatePerSec !== undefined && s.fixedDeliveredPerSec.median < 0.9 * context.fixedRatePerSec ? ` (only ${fmtRate(s.fixedDeliveredPerSec.median)} ev/s arrived)` : '';
    lines.push(
      `| ${s.label} | ${cell(s.maxPerSec, fmtRate)} | ${cell(s.fixedP50, fmtMs)} | ${cell(s.fixedP99, fmtMs)}${short} | ${cell(s.fixedP999, fmtMs)} | ${cell(s.idleBytesPerConnection, fmtKiB)} | ${cell(s.serverCpuWait, fmtPct)} |`,
    );
  }
  lines.push(
    '',
    `Median of ${context.rounds} alternating round${context.rounds === 1 ? '' : 's'}, (min–max) across rounds. ${context.users} streaming users; latency is publish (server \`ts\`) to receipt. ` +
      '"Server waited for CPU": share of the measuring windows its event loop was runnable but not running (other work on its core; a 2-node system also waits on its other node); well above 0 means the figures are noisy.',
    '',
  );
  if (checks.length > 0) {
    lines.push('| target | measured | bound | |', '|---|--:|--:|:-:|');
    for (const check of checks) {
      const mark = check.met === undefined ? '?' : check.met ? '✓' : '✗';
      lines.push(`| ${check.target} | ${check.ratio.toFixed(2)} | ${check.direction === 'min' ? '≥' : '≤'} ${check.bound} | ${mark} |`);
    }
  }
  const errors = summaries.flatMap((s) => s.errors.map((e) => `- ${s.label}, ${e}`));
  if (errors.length > 0) lines.push('', 'Errors:', ...errors);
  return `${lines.join('\n')}\n`;
}
