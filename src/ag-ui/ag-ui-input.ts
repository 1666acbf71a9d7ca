/**
 * The AG-UI request body (RunAgentInput), validated with @ag-ui/core's own schema, and what
 * agentwire takes from it: the last user message is the run's input, the client's runId makes
 * the request idempotent, and the threadId continues an agentwire thread when it is one.
 */
import { contentToText, type RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { MAX_ID_LENGTH } from '../protocol/schema.js';

/** What the client sent, as far as agentwire uses it. */
export interface AgUiRequest {
  threadId: string;
  runId: string;
  /** The text of the last user message. */
  text: string;
}

export type AgUiInputResult = { ok: true; request: AgUiRequest } | { ok: false; message: string };

/** Room for the "ag-ui:" prefix inside a clientMessageId. */
const MAX_CLIENT_ID_LENGTH = MAX_ID_LENGTH - 8;

export function parseAgUiInput(body: unknown, maxTextChars: number): AgUiInputResult {
  const parsed = RunAgentInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return { ok: false, message: `RunAgentInput: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}` };
  }
  const input = parsed.data as RunAgentInput;
  for (const [name, value] of [['threadId', input.threadId], ['runId', input.runId]] as const) {
    if (value.length === 0 || value.length > MAX_CLIENT_ID_LENGTH) return { ok: false, message: `RunAgentInput: ${name} must have 1 to ${MAX_CLIENT_ID_LENGTH} characters` };
  }
  const text = lastUserText(input);
  if (text === undefined) return { ok: false, message: 'RunAgentInput: messages has no user message with text' };
  if (text.length > maxTextChars) return { ok: false, message: `RunAgentInput: the last user message is longer than ${maxTextChars} characters` };
  return { ok: true, request: { threadId: input.threadId, runId: input.runId, text } };
}

/**
 * agentwire agents take one message per run and keep the thread's history themselves, so only the
 * last user message is the input; earlier messages the client replays are not re-run.
 */
function lastUserText(input: RunAgentInput): string | undefined {
  for (let i = input.messages.length - 1; i >= 0; i--) {
    const message = input.messages[i];
    if (message?.role !== 'user') continue;
    const text = contentToText(message.content).trim();
    return text === '' ? undefined : text;
  }
  return undefined;
}
