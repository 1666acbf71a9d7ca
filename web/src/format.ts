/** How values read on the page: durations, tool arguments and results, times. */

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * A tool's arguments as people read them: `17 * 23` for {expression: "17 * 23"}, `key: value`
 * lines for a flat object, else JSON.
 */
export function formatArgs(args: unknown): string {
  if (args !== null && typeof args === 'object' && !Array.isArray(args)) {
    const entries = Object.entries(args as Record<string, unknown>);
    if (entries.length === 1 && typeof entries[0]?.[1] === 'string') return entries[0][1];
    const flat = entries.every(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    if (flat && entries.length > 0) return entries.map(([k, v]) => `${k}: ${formatValue(v)}`).join('\n');
  }
  return formatValue(args);
}

/** A one-line headline for a result too long to show whole ("3 results", or its start); else undefined. */
export function summarizeResult(result: unknown): string | undefined {
  const full = formatResult(result);
  if (full.length <= 240 && full.split('\n').length <= 4) return undefined;
  if (Array.isArray(result)) return `${result.length} result${result.length === 1 ? '' : 's'}`;
  const line = full.replace(/\s+/g, ' ');
  return `${line.slice(0, 80)}…`;
}

/** Compact JSON; strings as they are. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    // JSON.stringify returns undefined (despite its type) for functions and symbols.
    const json = JSON.stringify(value) as unknown;
    if (typeof json !== 'string') return typeof value;
    // Short values on one line; longer objects indented, one field a line.
    return json.length > 60 && typeof value === 'object' ? JSON.stringify(value, null, 2) : json;
  } catch {
    return '(not serialisable)';
  }
}

/** A result: its `value` when it has one (the calculator's), a flat object as lines, else JSON. */
export function formatResult(result: unknown): string {
  if (result !== null && typeof result === 'object' && 'value' in result) {
    const value = result.value;
    if (typeof value === 'number' || typeof value === 'string') return String(value);
  }
  return formatArgs(result);
}

export function relativeTime(epochMs: number, now: number = Date.now()): string {
  const seconds = Math.round((now - epochMs) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(epochMs).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]?.[0] ?? ''}${parts[1]?.[0] ?? ''}` : name.slice(0, 2);
  return letters.toUpperCase();
}

/** How a thread is named when it is created: the server keeps the first 80 characters of the message. */
const SERVER_TITLE_CHARS = 80;
const TITLE_CHARS = 48;
const FILLER = /^(?:(?:hi|hello|hey)[,!.]?\s+)?(?:please\s+)?(?:(?:can|could|would) you\s+(?:please\s+)?|tell me\s+|i (?:want|need|would like) to know\s+)?(?:what(?:'s| is)\s+)?/i;

/** Whether a title is still the one the server gave the thread (not renamed by anyone). */
export function isDefaultTitle(title: string | undefined, firstMessage: string): boolean {
  return title !== undefined && title === firstMessage.slice(0, SERVER_TITLE_CHARS);
}

/**
 * A name for a thread from its first exchange: the result when the answer leads with one
 * ("17 * 23 = 391", "Time in Tokyo"), else the question without its filler words, cut at a
 * word, so five threads do not all start "What is…".
 */
export function titleFromExchange(question: string, answer: string): string {
  const firstLine = answer.split('\n')[0]?.trim() ?? '';
  const sum = /^(.{1,40}) = ([^\s]{1,24})\.$/.exec(firstLine);
  if (sum) return `${sum[1]} = ${sum[2]}`;
  const clock = /^In ([^(]{1,30}?)(?: \([^)]*\))? it is /.exec(firstLine);
  if (clock) return `Time in ${clock[1]}`;
  const flat = question.replace(/\s+/g, ' ').trim().replace(FILLER, '').replace(/[?!.]+$/, '');
  const text = flat === '' ? question.trim() : flat;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  if (capital.length <= TITLE_CHARS) return capital;
  const cutAt = capital.lastIndexOf(' ', TITLE_CHARS);
  return `${capital.slice(0, cutAt > TITLE_CHARS / 2 ? cutAt : TITLE_CHARS)}…`;
}
