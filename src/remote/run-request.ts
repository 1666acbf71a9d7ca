/**
 * The body of a run request. One body serves both kinds of worker: agentwire's fields (userId,
 * input, history, deadline) beside a valid AG-UI RunAgentInput (threadId, runId, messages, …),
 * so an AG-UI server takes it unchanged and reads the same conversation from `messages`.
 */
import type { AgentContext, AgentInput } from '../engine/define-agent.js';

export interface RunRequest {
  v: 1;
  runId: string;
  threadId: string;
  userId: string;
  /** The user's message. */
  input: string;
  /** Earlier turns of the thread, oldest first. */
  history: { role: 'user' | 'assistant'; text: string; runId: string }[];
  /** When the run's timeout ends it (ISO-8601); null when unknown. */
  deadline: string | null;
  /** AG-UI RunAgentInput. */
  messages: { id: string; role: 'user' | 'assistant'; content: string }[];
  state: Record<string, never>;
  tools: [];
  context: [];
  forwardedProps: Record<string, never>;
}

export async function buildRunRequest(input: AgentInput, ctx: AgentContext, historyTurns: number): Promise<string> {
  const history = historyTurns > 0 ? (await input.history()).slice(-historyTurns) : [];
  const request: RunRequest = {
    v: 1,
    runId: ctx.runId,
    threadId: ctx.threadId,
    userId: ctx.userId,
    input: input.text,
    history: history.map((turn) => ({ role: turn.role, text: turn.text, runId: turn.runId })),
    deadline: input.deadline === undefined ? null : new Date(input.deadline).toISOString(),
    messages: [
      ...history.map((turn, i) => ({ id: `${turn.runId}.${turn.role}.${i}`, role: turn.role, content: turn.text })),
      { id: `${ctx.runId}.user`, role: 'user', content: input.text },
    ],
    state: {},
    tools: [],
    context: [],
    forwardedProps: {},
  };
  return JSON.stringify(request);
}
