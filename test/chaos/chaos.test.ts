import { describe, expect, it } from 'vitest';
import { formatReport, runChaos } from './chaos-runner.js';

describe('chaos (bounded)', () => {
  it('40 users, 16 s of cuts, slow readers, resume bursts, a SIGKILLed server and a silent agent: nothing lost, nothing twice, nothing misrouted', async () => {
    const report = await runChaos({ users: 40, seconds: 16, slowFraction: 0.025 });
    console.log(formatReport(report));
    expect(report.published).toBeGreaterThan(2000);
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBe(0);
    expect(report.wireDuplicates).toBe(0);
    expect(report.resumeBursts).toBeGreaterThan(5);
    expect(report.outOfOrder).toBe(0);
    expect(report.wrongUser).toBe(0);
    expect(report.runsWithoutExactlyOneTerminal).toBe(0);
    expect(report.delivered).toBe(report.published);
    expect(report.serverRestarts).toBe(1);
    expect(report.noHeartbeatDeaths).toBeGreaterThanOrEqual(1);
    expect(report.cuts).toBeGreaterThan(20);
    expect(report.reconnects).toBeGreaterThan(20);
    expect(Math.abs(report.deliveryRatio.server - report.deliveryRatio.clients)).toBeLessThan(0.001);
  }, 150_000);
});
