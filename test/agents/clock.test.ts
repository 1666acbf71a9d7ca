import { describe, it, expect } from 'vitest';
import { clockTool, createClockTool, readClock } from 'agentwire/server';

const toolContext = { signal: new AbortController().signal, userId: 'user-1', runId: 'run-1' };
const instant = new Date('2024-05-14T09:03:12.000Z');

describe('clock tool', () => {
  it('reads the time in an IANA zone', () => {
    expect(readClock('Asia/Tokyo', instant)).toEqual({
      iso: '2024-05-14T09:03:12.000Z',
      timeZone: 'Asia/Tokyo',
      local: 'Tuesday, May 14, 2024 at 6:03:12 PM GMT+9',
      weekday: 'Tuesday',
      utcOffset: '+09:00',
      unixMs: instant.getTime(),
    });
  });

  it('accounts for daylight saving time', () => {
    expect(readClock('Europe/London', instant).utcOffset).toBe('+01:00');
    expect(readClock('Europe/London', new Date('2024-01-15T12:00:00Z')).utcOffset).toBe('+00:00');
    expect(readClock('America/New_York', instant).utcOffset).toBe('-04:00');
    expect(readClock('Asia/Kolkata', instant).utcOffset).toBe('+05:30');
    expect(readClock('America/New_York', instant).local).toBe('Tuesday, May 14, 2024 at 5:03:12 AM EDT');
  });

  it('crosses the date line: Sydney is already on the next day', () => {
    const late = new Date('2024-05-14T20:00:00Z');
    expect(readClock('Australia/Sydney', late).weekday).toBe('Wednesday');
    expect(readClock('UTC', late).weekday).toBe('Tuesday');
  });

  it('defaults to UTC', async () => {
    const tool = createClockTool({ now: () => instant });
    const result = await tool.execute({}, toolContext);
    expect(result.timeZone).toBe('UTC');
    expect(result.local).toBe('Tuesday, May 14, 2024 at 9:03:12 AM UTC');
  });

  it('uses the real clock by default', async () => {
    const before = Date.now();
    const result = await clockTool.execute({ timeZone: 'Europe/Paris' }, toolContext);
    expect(result.unixMs).toBeGreaterThanOrEqual(before);
    expect(result.unixMs).toBeLessThanOrEqual(Date.now());
    expect(new Date(result.iso).getTime()).toBe(result.unixMs);
  });

  it.each(['Mars/Olympus_Mons', 'Tokyo', 'not a zone'])('refuses the unknown zone %j with a clear error', (timeZone) => {
    expect(() => readClock(timeZone, instant)).toThrow(`Unknown time zone "${timeZone}": use an IANA name such as "UTC", "Europe/London" or "Asia/Tokyo"`);
  });

  it('validates its arguments with its schema', () => {
    expect(clockTool.parameters.safeParse({}).success).toBe(true);
    expect(clockTool.parameters.safeParse({ timeZone: 'Asia/Tokyo' }).success).toBe(true);
    expect(clockTool.parameters.safeParse({ timeZone: '' }).success).toBe(false);
    expect(clockTool.parameters.safeParse({ timeZone: 42 }).success).toBe(false);
  });
});
