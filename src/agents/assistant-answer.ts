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

function failure(outcome: ToolOutcome): string {
  if (outcome.status === 'success') return 'no error';
  return outcome.status === 'timeout' ? `it took too long (${outcome.error})` : outcome.error;
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
  const hits = outcome.result.map((hit) => `- ${hit.heading} (${hit.file}): ${hit.snippet}`);
  return ["Here is what agentwire's documentation says:", ...hits].join('\n');
}
