/**
 * Turns tool outcomes into the assistant's prose. A failed tool is part of the answer, not a
 * crash: the user learns what went wrong and what to try instead.
 */
import type { ToolOutcome } from '../engine/define-agent.js';
import type { ClockRequest } from './assistant-intent.js';
import type { CalculatorResult } from './tools/calculator.js';
import type { ClockResult } from './tools/clock.js';
import type { DocsSearchHit } from './tools/docs-search.js';

export const CAPABILITIES =
  "I'm agentwire's demo assistant. I can do arithmetic (try \"What is 17 * 23?\" or \"sqrt(144) + 1\"), " +
  'tell the time anywhere (try "What time is it in Tokyo?") and search agentwire\'s documentation ' +
  '(try "How does resume work?").';

/** What the user reads when everything they asked for is outside the assistant's tools. */
export const OFF_SCRIPT = "That's not something I can help with.";

/**
 * A tool failure in plain words. Argument validation is the assistant's own mistake (it built
 * the arguments), so its wording ("invalid arguments: query Too big…") never reaches the user.
 */
function failure(outcome: ToolOutcome): string {
  if (outcome.status === 'success') return 'no error';
  if (outcome.status === 'timeout') return 'it took too long';
  return outcome.error.startsWith('invalid arguments') ? 'the request was too long or not in a form the tool accepts' : outcome.error;
}

/** Box drawing, block elements, arrows and geometric shapes: diagrams, not prose. */
const DRAWING = /[\u2190-\u21ff\u2500-\u25ff]+/g;
/** A Markdown table's header rule, "|---|:---:|". */
const TABLE_RULE = /\|?(?:\s*:?-{3,}:?\s*\|)+(?:\s*:?-{3,}:?\s*)?/g;

/**
 * A documentation snippet (already one line) as prose: diagrams and table rules dropped, cell
 * bars read as separators, code and emphasis marks removed, so a cut through Markdown cannot
 * leave half a table or an unclosed backtick in the answer.
 */
export function plainSnippet(snippet: string): string {
  const prose = snippet
    .replace(DRAWING, ' ')
    .replace(TABLE_RULE, ' ')
    .replace(/\s*\|\s*/g, ' · ')
    .replace(/```\w*|`|\*\*|__|^#+\s*/g, '')
    .replace(/(?:\s*·\s*)+/g, ' · ')
    .replace(/^\s*·\s*|\s*·\s*$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return prose === '' ? '(a table or code example; see the file)' : prose;
}

/** The sentence naming the parts of a message the assistant did not answer. */
export function describeSkipped(skipped: readonly string[]): string {
  const named = skipped.slice(0, 3).map((part) => `"${part}"`);
  const more = skipped.length > named.length ? ` and ${skipped.length - named.length} more part${skipped.length - named.length === 1 ? '' : 's'}` : '';
  return `I skipped ${named.join(', ')}${more}: that's outside what I can do (arithmetic, the time, agentwire's documentation).`;
}

export function describeCalculation(expression: string, outcome: ToolOutcome<CalculatorResult>): string {
  if (outcome.status === 'success') return `${expression} = ${outcome.result.formatted}.`;
  return `I couldn't calculate "${expression}": ${failure(outcome)}.`;
}

export function describeClock(request: ClockRequest, outcome: ToolOutcome<ClockResult>): string {
  if (outcome.status !== 'success') return `I couldn't read the clock for ${request.place}: ${failure(outcome)}.`;
  const where = request.place === outcome.result.timeZone ? request.place : `${request.place} (${outcome.result.timeZone})`;
  return `In ${where} it is ${outcome.result.local}.`;
}

export function describeDocs(outcome: ToolOutcome<DocsSearchHit[]>): string {
  if (outcome.status !== 'success') return `I couldn't search the documentation: ${failure(outcome)}.`;
  if (outcome.result.length === 0) return "I searched agentwire's documentation but found nothing on that.";
  const hits = outcome.result.map((hit) => `- **${plainSnippet(hit.heading)}** (${hit.file}): ${plainSnippet(hit.snippet)}`);
  return ["Here is what agentwire's documentation says:", ...hits].join('\n');
}
