/**
 * npm run chaos -- --users 200 --seconds 120 [--cut 0.1] [--slow 0.01] [--burst 0.05] [--no-kill] [--proxy-storm 2000]
 *
 * Runs the chaos harness (test/chaos/chaos-runner.ts) at full size, prints the table and writes
 * the JSON report to bench/results/chaos-<timestamp>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport, runChaos } from '../test/chaos/chaos-runner.js';
import { formatProxyRestart, proxyRestartFailures, runProxyRestartFault } from '../test/chaos/proxy-restart-fault.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '120' },
    cut: { type: 'string', default: '0.1' },
    slow: { type: 'string', default: '0.01' },
    burst: { type: 'string', default: '0.05' },
    'no-kill': { type: 'boolean', default: false },
    // Connections through nginx for the proxy-restart fault; 0 leaves the fault out.
    'proxy-storm': { type: 'string', default: '2000' },
  },
});

const report = await runChaos({
  users: Number(values.users),
  seconds: Number(values.seconds),
  cutFraction: Number(values.cut),
  slowFraction: Number(values.slow),
  burstFraction: Number(values.burst),
  killServer: !values['no-kill'],
  log: (line) => process.stderr.write(`[chaos] ${line}\n`),
});
process.stdout.write(`${formatReport(report)}\n`);
const proxyStorm = Number(values['proxy-storm']);
const proxyRestart = proxyStorm > 0 ? await runProxyRestartFault(proxyStorm, (line) => process.stderr.write(`[chaos] ${line}\n`)) : { ran: false as const, reason: '--proxy-storm 0' };
process.stdout.write(`${formatProxyRestart(proxyRestart)}\n`);
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), ...report, proxyRestart }, null, 2)}\n`);
process.stdout.write(`report written to ${file}\n`);
const failed = report.lost + report.duplicates + report.wireDuplicates + report.outOfOrder + report.wrongUser + report.runsWithoutExactlyOneTerminal + proxyRestartFailures(proxyRestart);
process.exitCode = failed === 0 ? 0 : 1;
