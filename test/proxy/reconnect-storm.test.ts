/**
 * Issue 12 item 4: a node restart behind a load balancer. 2,000 users of the real client are
 * connected through a real nginx (all from one address as the server sees the socket), each
 * has received events and some are mid-run, and the server process is killed and started
 * again on the same SQLite file and port. Every one reconnects through the proxy and resumes:
 * nothing lost (every seq once, in order), the interrupted runs end with their terminal event,
 * and nobody is refused with 429. The time until the last one caught up is printed and written
 * to test-results/reconnect-storm.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { nginxSuite } from '../helpers/nginx.js';
import { runReconnectStorm } from './support/reconnect-storm.js';

const CONNECTIONS = Number(process.env.AGENTWIRE_STORM_CONNECTIONS ?? 2_000);

nginxSuite('reconnect storm through nginx', () => {
  it(`${CONNECTIONS} connections dropped at once by a server restart all resume with nothing lost, none refused with 429`, async () => {
    const report = await runReconnectStorm({ connections: CONNECTIONS, log: (line) => console.log(`storm: ${line}`) });
    console.log(`storm: ${JSON.stringify(report)}`);
    console.log(`storm: the last of ${report.connections} clients caught up ${report.lastCaughtUpMs} ms after the kill (${report.lastCaughtUpAfterListenMs} ms after the new server listened)`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/reconnect-storm.json', `${JSON.stringify({ ...report, at: new Date().toISOString() }, null, 2)}\n`);
    expect(report.caughtUp).toBe(CONNECTIONS);
    expect(report.connectRefused429).toBe(0);
    expect(report.refused429).toBe(0);
    expect(report.proxy429).toBe(0);
    expect(report.wrongSequence).toBe(0);
    expect(report.connectionsWithRepeats).toBe(0);
    expect(report.missingTerminal).toBe(0);
    expect(report.midRun).toBeGreaterThan(0);
  }, 180_000);
});
