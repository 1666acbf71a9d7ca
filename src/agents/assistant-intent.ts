/**
 * Reads a user's message and decides which tools the assistant should call: arithmetic for the
 * calculator, time questions for the clock, questions about agentwire for the docs search.
 * Rules rather than a model, so the demo is deterministic and its choices can be tested.
 */

import { unhandledParts } from './assistant-clauses.js';

export interface ClockRequest {
  /** The place as the user named it ("Tokyo"), or the zone itself. */
  place: string;
  timeZone: string;
}

export interface AssistantPlan {
  calculations: string[];
  clocks: ClockRequest[];
  /** Set when the documentation should be searched, with the text to search for. */
  docsQuery: string | undefined;
  greeting: boolean;
  /** Parts of the message no tool answers ("tell me a joke"), quoted so the answer can name them. */
  skipped: string[];
}

/** A cap per kind, so one long message cannot turn into dozens of tool calls. */
const MAX_CALCULATIONS = 3;
const MAX_CLOCKS = 4;

const CITY_ZONES: readonly (readonly [RegExp, string, string])[] = [
  [/\btokyo\b/i, 'Tokyo', 'Asia/Tokyo'],
  [/\blondon\b/i, 'London', 'Europe/London'],
  [/\b(?:new york|nyc)\b/i, 'New York', 'America/New_York'],
  [/\bparis\b/i, 'Paris', 'Europe/Paris'],
  [/\bberlin\b/i, 'Berlin', 'Europe/Berlin'],
  [/\bsydney\b/i, 'Sydney', 'Australia/Sydney'],
  [/\b(?:los angeles|l\.a\.)/i, 'Los Angeles', 'America/Los_Angeles'],
  [/\b(?:utc|gmt)\b/i, 'UTC', 'UTC'],
];
/** An IANA name written out ("Europe/Lisbon"); the clock tool decides whether it exists. */
const IANA_ZONE = /\b[A-Z][A-Za-z_]+(?:\/[A-Za-z_-]+)+\b/g;

const TIME_QUESTION = [
  /\bwhat(?:'s|’s| is)? the (?:time|date|day)\b/i,
  /\bwhat (?:time|date|day)\b/i,
  /\btime is it\b/i,
  /\bcurrent (?:time|date)\b/i,
  /\btoday(?:'s|’s)? date\b/i,
  /\b(?:time|date) (?:in|at|for)\b/i,
  /\blocal time\b/i,
];

const DOCS_TOPIC =
  /\b(?:agentwire|protocol|resume|resum\w*|reconnect\w*|seq|sequence|epoch|tokens?|jwt|auth\w*|websockets?|events?|ack\w*|replay\w*|stores?|redis|sqlite|deploy\w*|install\w*|config\w*|heartbeats?|cancel\w*|limits?|metrics|ssot|agents?|tools?|server|client|delivery|subprotocol|emitter|bridge|notifier)\b/i;
const GREETING = /^\s*(?:hi|hello|hey|howdy|good (?:morning|afternoon|evening)|help|what can you do)\b/i;

/** Words people use for operators, rewritten so the calculator can read them. */
const OPERATOR_WORDS: readonly (readonly [RegExp, string])[] = [
  [/\bto the power of\b/gi, '^'],
  [/\bmultiplied by\b|\btimes\b/gi, '*'],
  [/\bdivided by\b/gi, '/'],
  [/\bplus\b/gi, '+'],
  [/\bminus\b/gi, '-'],
  [/\bsquared\b/gi, '^2'],
  [/\bsquare root of\b/gi, 'sqrt'],
  [/(\d)\s*[x×]\s*(?=\d)/g, '$1 * '],
  [/÷/g, '/'],
  [/−/g, '-'],
  // "15% of 80" means a percentage, not a remainder.
  [/(\d+(?:\.\d+)?)\s*%\s*of\s+/gi, '($1 / 100) * '],
];

const FUNCTION_NAMES = 'sqrt|abs|round|floor|ceil|min|max|log10|log2|log|ln|exp|sin|cos|tan';
/** A run of characters that can belong to an expression: numbers, operators, brackets, names. */
const EXPRESSION_RUN = new RegExp(`(?:\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|\\.\\d+|\\b(?:${FUNCTION_NAMES}|pi|e)\\b|\\*\\*|[-+*/%^(),.]|[ \\t])+`, 'gi');
/** A binary operator after an operand, or a function call: what separates "17 * 23" from "17". */
const LOOKS_COMPUTED = new RegExp(`(?:[\\d)]|\\b(?:pi|e))\\s*(?:\\*\\*|[-+*/%^])\\s*[-+(.\\d\\w]|\\b(?:${FUNCTION_NAMES})\\s*\\(`, 'i');
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}$/;

/** Drops brackets left unbalanced at the ends when a sentence cut through them. */
function balance(candidate: string): string {
  let text = candidate;
  const count = (c: string): number => text.split(c).length - 1;
  while (count('(') > count(')') && text.startsWith('(')) text = text.slice(1).trim();
  while (count(')') > count('(') && text.endsWith(')')) text = text.slice(0, -1).trim();
  return text;
}

export function findCalculations(message: string): string[] {
  const rewritten = OPERATOR_WORDS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message);
  const found: string[] = [];
  for (const [run] of rewritten.matchAll(EXPRESSION_RUN)) {
    const candidate = balance(run.trim().replace(/^[,\s]+|[.,\s]+$/g, ''));
    if (/\d|\bpi\b|\be\b/i.test(candidate) && LOOKS_COMPUTED.test(candidate) && !DATE_LIKE.test(candidate) && !found.includes(candidate)) {
      found.push(candidate);
    }
  }
  return found.slice(0, MAX_CALCULATIONS);
}

type LocatedClock = ClockRequest & { at: number };

export function findClocks(message: string): ClockRequest[] {
  if (!TIME_QUESTION.some((pattern) => pattern.test(message))) return [];
  const found: LocatedClock[] = [];
  for (const [pattern, place, timeZone] of CITY_ZONES) {
    const match = pattern.exec(message);
    if (match) found.push({ place, timeZone, at: match.index });
  }
  for (const match of message.matchAll(IANA_ZONE)) found.push({ place: match[0], timeZone: match[0], at: match.index });
  // Answer in the order the user asked, and once per zone.
  found.sort((a, b) => a.at - b.at);
  const unique = found.filter((c, i) => found.findIndex((o) => o.timeZone === c.timeZone) === i).map(({ place, timeZone }) => ({ place, timeZone }));
  return unique.length > 0 ? unique.slice(0, MAX_CLOCKS) : [{ place: 'UTC', timeZone: 'UTC' }];
}

/**
 * The longest documentation query sent to the search tool. The tool refuses more than 500
 * characters; a search needs far fewer, and cutting here keeps a pasted essay from turning into
 * a validation error in the answer.
 */
export const MAX_DOCS_QUERY_CHARS = 200;

/** Whether one clause of a message is something the assistant's tools answer. */
function isHandled(clause: string): boolean {
  return (
    findCalculations(clause).length > 0 ||
    TIME_QUESTION.some((pattern) => pattern.test(clause)) ||
    CITY_ZONES.some(([pattern]) => pattern.test(clause)) ||
    GREETING.test(clause) ||
    DOCS_TOPIC.test(clause) ||
    // A bare number or expression fragment left by the split ("4", "(2+3)*4").
    /^[-+*/^%().\d\s]+$/.test(clause)
  );
}

function docsQueryOf(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_DOCS_QUERY_CHARS) return flat;
  const cut = flat.slice(0, MAX_DOCS_QUERY_CHARS);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > MAX_DOCS_QUERY_CHARS / 2 ? cut.slice(0, lastSpace) : cut;
}

/** Decides which tools to call for a message, and which of its parts no tool answers. */
export function planFor(message: string): AssistantPlan {
  const calculations = findCalculations(message);
  const clocks = findClocks(message);
  const greeting = GREETING.test(message);
  // Only questions about agentwire go to its documentation: a book about Rome is not in there,
  // and answering with unrelated snippets is worse than saying what the assistant can do.
  const docsQuery = DOCS_TOPIC.test(message) ? docsQueryOf(message) : undefined;
  const skipped = unhandledParts(message, isHandled);
  return { calculations, clocks, docsQuery, greeting, skipped };
}
