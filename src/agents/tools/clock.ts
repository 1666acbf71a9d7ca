/**
 * The `clock` tool: the current time in an IANA time zone. The zone is checked by asking Intl
 * for it, so the set of zones is exactly the runtime's (its ICU data), with no list to go stale.
 */
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../../engine/define-agent.js';

export interface ClockArgs {
  timeZone?: string;
}

export interface ClockResult {
  /** The instant in UTC, ISO-8601. */
  iso: string;
  /** The canonical zone name Intl resolved (e.g. "UTC", "Asia/Tokyo"). */
  timeZone: string;
  /** Date and time as a person in that zone reads it, e.g. "Tuesday, May 14, 2024 at 6:03:12 PM GMT+9". */
  local: string;
  weekday: string;
  /** The zone's offset from UTC at this instant, ISO-style: "+09:00", "-04:00" (daylight saving included). */
  utcOffset: string;
  unixMs: number;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'full', timeStyle: 'long' });
  } catch (error) {
    // Intl throws a RangeError whose wording varies by runtime; say what the caller can do.
    throw new Error(`Unknown time zone "${timeZone}": use an IANA name such as "UTC", "Europe/London" or "Asia/Tokyo"`, { cause: error });
  }
}

function weekdayOf(timeZone: string, date: Date): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long' }).format(date);
}

/**
 * Computed from the wall-clock fields rather than Intl's "shortOffset" name, whose spelling
 * ("GMT" or "GMT+0") differs between ICU versions.
 */
function utcOffsetOf(timeZone: string, date: Date): string {
  const fields = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(fields.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const minutes = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The clock reading for one zone at one instant; throws on an unknown zone. */
export function readClock(timeZone: string, date: Date): ClockResult {
  const formatter = formatterFor(timeZone);
  const resolved = formatter.resolvedOptions().timeZone;
  return {
    iso: date.toISOString(),
    timeZone: resolved,
    // Some ICU versions put a narrow no-break space before AM/PM; plain text is friendlier to clients.
    local: formatter.format(date).replace(/[\u202f\u00a0]/g, ' '),
    weekday: weekdayOf(resolved, date),
    utcOffset: utcOffsetOf(resolved, date),
    unixMs: date.getTime(),
  };
}

/** `now` is injectable so tests can pin the instant. */
export function createClockTool(options: { now?: () => Date } = {}): ToolDefinition<ClockArgs, ClockResult> {
  const now = options.now ?? (() => new Date());
  return defineTool<ClockArgs, ClockResult>({
    name: 'clock',
    description: 'Tells the current date and time in an IANA time zone (default "UTC"), e.g. "Asia/Tokyo".',
    parameters: z.object({ timeZone: z.string().min(1).max(64).exactOptional() }),
    timeoutMs: 1_000,
    execute: ({ timeZone = 'UTC' }) => readClock(timeZone, now()),
  });
}

export const clockTool = createClockTool();
