/**
 * A thread's earlier turns, rebuilt from its stored events: the user's message (agent_started)
 * and the agent's answer (its agent_message_delta events), run by run. Loaded only when an
 * agent asks for it, so agents that do not need context pay nothing.
 */
import type { AgentEvent } from '../protocol/events.js';
import type { EventStore } from '../store/event-store.js';

export interface ThreadTurn {
  role: 'user' | 'assistant';
  text: string;
  runId: string;
}

/** Events read at most to rebuild a history: a thread longer than this keeps its latest turns. */
const MAX_EVENTS = 5_000;
const PAGE = 1_000;

export async function loadThreadHistory(store: EventStore, userId: string, threadId: string, currentRunId: string): Promise<ThreadTurn[]> {
  const events: AgentEvent[] = [];
  for (let after = 0; events.length < MAX_EVENTS; ) {
    const page = await store.readThread(userId, threadId, after, PAGE);
    for (const stored of page) events.push(JSON.parse(stored.frame) as AgentEvent);
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    after = last.seq;
  }
  return turnsOf(events, currentRunId);
}

function turnsOf(events: readonly AgentEvent[], currentRunId: string): ThreadTurn[] {
  const runs = new Map<string, { user: string | undefined; answer: string }>();
  for (const event of events) {
    if (event.runId === currentRunId) continue;
    let run = runs.get(event.runId);
    if (!run) {
      run = { user: undefined, answer: '' };
      runs.set(event.runId, run);
    }
    if (event.type === 'agent_started') run.user = event.data.input;
    else if (event.type === 'agent_message_delta') run.answer += event.data.delta;
  }
  const turns: ThreadTurn[] = [];
  for (const [runId, run] of runs) {
    if (run.user !== undefined) turns.push({ role: 'user', text: run.user, runId });
    if (run.answer !== '') turns.push({ role: 'assistant', text: run.answer, runId });
  }
  return turns;
}
