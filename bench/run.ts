/**
 * npm run bench [-- --quick] [--rounds 3] [--systems ws,socketio,…] [--workloads idle,fanout]
 *               [--connections 5000] [--users 2000] [--fixed-rate N] [--profile SYSTEM]
 *
 * agentwire against raw `ws` (the ceiling) and Socket.IO 4 with connection-state recovery,
 * side by side in one run: every server process pinned to core 0, this load generator to
 * core 1, compression off everywhere, the same client machinery for every system, rounds in
 * rotating order, each figure the median of the rounds with its min–max. Writes
 * bench/results/<date>.{json,md,svg}. See bench/README.md for the method.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { profileMarkdown, summariseProfile } from './lib/cpu-profile.js';
import { median, sleep, type StepResult } from './lib/measure.js';
import { hasTaskset, pinSelf, ROOT } from './lib/processes.js';
import { checkTargets, markdownTable, summarise, type SystemRound } from './lib/report.js';
import { chartSvg } from './lib/svg.js';
import { redisReachable, RunningSystem, SYSTEM_NAMES, SYSTEMS, type SystemName } from './lib/systems.js';
import { FanoutSession, idleWorkload, intervalFor, ramp, rateOf, type FanoutConfig } from './lib/workloads.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    systems: { type: 'string', default: SYSTEM_NAMES.join(',') },
    workloads: { type: 'string', default: 'idle,fanout' },
    connections: { type: 'string' },
    users: { type: 'string' },
    'warmup-ms': { type: 'string' },
    'window-ms': { type: 'string' },
    'start-rate': { type: 'string', default: '15000' },
    'fixed-rate': { type: 'string' },
    profile: { type: 'string' },
    'profile-rate': { type: 'string', default: '20000' },
    'profile-seconds': { type: 'string', default: '10' },
    out: { type: 'string', default: 'bench/results' },
  },
});

const quick = values.quick;
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const connections = Number(values.connections ?? (quick ? 1000 : 5000));
const users = Number(values.users ?? (quick ? 1000 : 2000));
const fanoutConfig: FanoutConfig = {
  users,
  warmupMs: Number(values['warmup-ms'] ?? (quick ? 400 : 500)),
  windowMs: Number(values['window-ms'] ?? (quick ? 1000 : 1500)),
  p99LimitMs: 100,
  minDeliveredRatio: 0.9,
  startIntervalMs: intervalFor(users, Number(values['start-rate'])),
  drainTimeoutMs: 15_000,
};
const workloads = new Set(values.workloads.split(','));
const started = Date.now();

function log(line: string): void {
  const elapsed = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${elapsed}s] ${line}\n`);
}

function fmtStep(step: StepResult): string {
  const l = step.latencyMs;
  return (
    `interval ${String(step.intervalMs).padStart(4)} ms  target ${Math.round(step.targetPerSec).toString().padStart(7)}/s  delivered ${Math.round(step.deliveredPerSec).toString().padStart(7)}/s  ` +
    `p50 ${l.p50.toFixed(1)} p99 ${l.p99.toFixed(1)} p99.9 ${l.p999.toFixed(1)} ms  server ${(step.serverCpu * 100).toFixed(0)}% cpu (waited ${(step.serverCpuWait * 100).toFixed(0)}%, loop delay max ${step.serverLoopDelayMs.max.toFixed(0)} ms)  loadgen ${(step.loadgenElu * 100).toFixed(0)}% busy (waited ${(step.loadgenCpuWait * 100).toFixed(0)}%)` +
    `${step.errors ? `  ${step.errors} errors` : ''}${step.allStreaming ? '' : '  NOT ALL STREAMING'}${step.drained ? '' : '  NOT DRAINED'}  ${step.passed ? 'pass' : 'FAIL'}`
  );
}

function openFileLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim());
  } catch {
    return Number.NaN;
  }
}

async function selectSystems(): Promise<SystemName[]> {
  const asked = values.systems.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of asked) if (!(SYSTEM_NAMES as readonly string[]).includes(name)) throw new Error(`unknown system ${name}; known: ${SYSTEM_NAMES.join(', ')}`);
  let selected = SYSTEM_NAMES.filter((name) => asked.includes(name));
  if (selected.some((name) => SYSTEMS[name].redis) && !(await redisReachable())) {
    log('!!! Redis is not reachable at 127.0.0.1:6379 (BENCH_REDIS_URL): skipping agentwire-redis and socketio-redis');
    selected = selected.filter((name) => !SYSTEMS[name].redis);
  }
  return selected;
}

async function profileRun(system: SystemName): Promise<void> {
  const dir = resolve(ROOT, values.out, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const rate = Number(values['profile-rate']);
  const interval = intervalFor(users, rate);
  const seconds = Number(values['profile-seconds']);
  log(`profiling ${system}: ${users} users at ${Math.round(rateOf(users, interval))} events/s for ${seconds} s → ${dir}`);
  const running = await RunningSystem.start(SYSTEMS[system]);
  const files: string[] = [];
  try {
    const session = await FanoutSession.open(running, fanoutConfig);
    try {
      log(`warm-up ${fmtStep(await session.step(interval, 1_000))}`);
      await Promise.all(running.servers.map((server) => server.startProfile()));
      log(fmtStep(await session.step(interval, seconds * 1000)));
      for (const [index, server] of running.servers.entries()) {
        const file = join(dir, `${system}-${index}.cpuprofile`);
        await server.stopProfile(file);
        files.push(file);
      }
    } finally {
      session.close();
    }
  } finally {
    await running.stop();
  }
  for (const file of files) {
    const text = profileMarkdown(summariseProfile(file), `${SYSTEMS[system].label}, ${users} users at ${rate} events/s (${basename(file)}, main thread, ${seconds} s window)`);
    writeFileSync(`${file}.md`, text);
    process.stdout.write(`${text}\n`);
  }
  log(`profiles (open in Chrome DevTools or speedscope) and summaries in ${dir}`);
}

async function main(): Promise<void> {
  const pinned = pinSelf();
  if (pinned) log('load generator pinned to core 1, servers to core 0 (taskset)');
  const systems = await selectSystems();
  const limit = openFileLimit();
  const needed = Math.max(connections, users) * 2 + 200;
  if (Number.isFinite(limit) && limit < needed) log(`!!! open-file limit ${limit} may be too low for ${connections} connections (wanted ${needed}; raise it with ulimit -n)`);
  if (values.profile !== undefined) {
    if (!(SYSTEM_NAMES as readonly string[]).includes(values.profile)) throw new Error(`--profile takes one of ${SYSTEM_NAMES.join(', ')}`);
    await profileRun(values.profile as SystemName);
    return;
  }
  log(`systems ${systems.join(', ')}; ${rounds} round(s); workloads ${[...workloads].join(', ')}; idle ${connections} connections; fan-out ${users} users`);

  const results: SystemRound[] = [];
  let fixedRate = values['fixed-rate'] === undefined ? undefined : Number(values['fixed-rate']);
  for (let round = 1; round <= rounds; round += 1) {
    const order = systems.map((_, i) => systems[(i + round - 1) % systems.length]!);
    log(`round ${round}/${rounds}: ${order.join(' → ')}`);
    for (const [position, name] of order.entries()) {
      const spec = SYSTEMS[name];
      const entry: SystemRound = { system: name, label: spec.label, round, position };
      results.push(entry);
      let running: RunningSystem | undefined;
      try {
        running = await RunningSystem.start(spec);
        if (workloads.has('idle')) {
          entry.idle = await idleWorkload(running, connections);
          log(`${name}: idle ${connections} connections in ${entry.idle.connectSeconds.toFixed(1)} s, ${(entry.idle.bytesPerConnection / 1024).toFixed(1)} KiB per connection`);
        }
        if (workloads.has('fanout')) {
          const session = await FanoutSession.open(running, fanoutConfig);
          try {
            // One short step first, discarded: the first runs after start-up pay for JIT and lazy set-up.
            const earlier = results.filter((r) => r.system === name && r.ramp?.best).map((r) => r.ramp!.best!.intervalMs);
            const seed = earlier.length > 0 ? median(earlier) : undefined;
            const warm = await session.step(2 * (seed ?? fanoutConfig.startIntervalMs), 500);
            log(`${name}: warm-up ${fmtStep(warm)}`);
            entry.ramp = await ramp(session, fanoutConfig, seed, (step) => log(`${name}: ${fmtStep(step)}`));
            log(`${name}: max ${entry.ramp.best ? Math.round(entry.ramp.best.deliveredPerSec) : 'n/a'} events/s with p99 ≤ 100 ms`);
            if (fixedRate === undefined && name === 'ws' && entry.ramp.best) {
              fixedRate = entry.ramp.best.deliveredPerSec / 2;
              log(`fixed rate for every system: half of raw ws's maximum = ${Math.round(fixedRate)} events/s`);
            }
            if (fixedRate !== undefined) {
              const interval = intervalFor(users, fixedRate);
              await sleep(300);
              entry.fixed = await session.step(interval, Math.round(fanoutConfig.windowMs * 1.5));
              log(`${name}: fixed ${fmtStep(entry.fixed)}`);
            }
          } finally {
            session.close();
          }
        }
      } catch (error) {
        entry.error = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        log(`!!! ${name} failed: ${entry.error}`);
      } finally {
        await running?.stop();
      }
    }
  }

  const summaries = summarise(results, systems);
  const checks = checkTargets(summaries);
  const fixedRatePerSec = fixedRate === undefined ? undefined : rateOf(users, intervalFor(users, fixedRate));
  const table = markdownTable(summaries, checks, { rounds, fixedRatePerSec, users, connections });
  const date = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = resolve(ROOT, values.out);
  mkdirSync(outDir, { recursive: true });
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machine = { cpus: cpus().length, parallelism: availableParallelism(), model: cpus()[0]?.model, node: process.version, loadavgAtStart: loadavg(), pinned: hasTaskset() };
  writeFileSync(
    join(outDir, `${date}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), command, machine, config: { rounds, connections, quick, fanout: fanoutConfig, fixedRatePerSec }, summaries, targets: checks, rounds: results }, null, 1)}\n`,
  );
  const header = `# agentwire benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n\`${command}\` on ${machine.cpus} × ${machine.model ?? 'CPU'}, Node ${machine.node}${machine.pinned ? ', servers on core 0, load generator on core 1' : ', UNPINNED'}; load average at start ${machine.loadavgAtStart.map((l) => l.toFixed(1)).join(' ')}.\n\n`;
  writeFileSync(join(outDir, `${date}.md`), header + table);
  writeFileSync(join(outDir, `${date}.svg`), chartSvg(summaries, `${command} · median of ${rounds} round(s), whiskers min–max · fixed rate ${fixedRatePerSec === undefined ? 'n/a' : `${Math.round(fixedRatePerSec)} ev/s`}`));
  process.stdout.write(`\n${header}${table}\n`);
  log(`results: ${join(values.out, date)}.{json,md,svg}; total ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  const size = statSync(join(outDir, `${date}.json`)).size;
  if (size > 5_000_000) log(`note: the JSON is ${(size / 1e6).toFixed(1)} MB (histograms of every step)`);
}

await main();
