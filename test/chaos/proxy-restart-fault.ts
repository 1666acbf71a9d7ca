/**
 * Chaos fault: a restart that drops every connection at once behind a reverse proxy. The
 * server process is SIGKILLed and started again behind nginx while N users are connected
 * through it (see test/proxy/support/reconnect-storm.ts); the report says how long until the
 * last one caught up, and whether anything was lost, repeated or refused with 429. Skipped, and
 * said so, when nginx is not installed.
 */
import { NGINX, nginxInstalled } from '../helpers/nginx.js';
import { runReconnectStorm, type StormReport } from '../proxy/support/reconnect-storm.js';

export type ProxyRestartResult = { ran: true; report: StormReport } | { ran: true; failed: string } | { ran: false; reason: string };

export async function runProxyRestartFault(connections: number, log: (line: string) => void): Promise<ProxyRestartResult> {
  if (!nginxInstalled()) return { ran: false, reason: `nginx is not available at ${NGINX}` };
  try {
    return { ran: true, report: await runReconnectStorm({ connections, log: (line) => log(`proxy restart: ${line}`) }) };
  } catch (error) {
    // A phase that never finished (clients that never caught up) is the fault's finding, not a crash.
    return { ran: true, failed: error instanceof Error ? error.message : String(error) };
  }
}

/** Failures that make `npm run chaos` exit non-zero. */
export function proxyRestartFailures(result: ProxyRestartResult): number {
  if (!result.ran) return 0;
  if ('failed' in result) return 1;
  const r = result.report;
  return r.connections - r.caughtUp + r.connectRefused429 + r.refused429 + r.proxy429 + r.wrongSequence + r.connectionsWithRepeats + r.missingTerminal;
}

export function formatProxyRestart(result: ProxyRestartResult): string {
  if (!result.ran) return `proxy restart (all connections dropped at once behind nginx): SKIPPED, ${result.reason}`;
  if ('failed' in result) return `proxy restart (all connections dropped at once behind nginx): FAILED, ${result.failed}`;
  const r = result.report;
  return [
    'proxy restart (all connections dropped at once behind nginx, server SIGKILLed and restarted):',
    `  connections ${r.connections} (${r.midRun} mid-run), server back after ${r.restartMs} ms`,
    `  caught up ${r.caughtUp}/${r.connections}: last ${r.lastCaughtUpMs} ms after the kill (${r.lastCaughtUpAfterListenMs} ms after listen), median ${r.medianCaughtUpMs} ms`,
    `  refused with 429: ${r.connectRefused429} while connecting, ${r.refused429} after the restart (client) / ${r.proxy429} (nginx log); wrong sequence ${r.wrongSequence}; connections with repeats ${r.connectionsWithRepeats}; missing terminal ${r.missingTerminal}`,
  ].join('\n');
}
