/** What the tests check on a client's stream of the `stream` diagnostic agent. */
import type { AgentEvent } from 'agentwire';

const TERMINALS = new Set(['agent_completed', 'agent_error', 'agent_death']);

/** Seqs missing from 1..max, and seqs seen more than once. */
export function gapsAndDuplicates(seqs: number[]): { missing: number[]; duplicates: number[] } {
  const seen = new Set<number>();
  const duplicates: number[] = [];
  for (const seq of seqs) {
    if (seen.has(seq)) duplicates.push(seq);
    seen.add(seq);
  }
  const max = Math.max(0, ...seqs);
  const missing: number[] = [];
  for (let seq = 1; seq <= max; seq++) if (!seen.has(seq)) missing.push(seq);
  return { missing, duplicates };
}

/** The stream agent's delta indices (#000042) of one run, in arrival order. */
export function deltaIndices(events: AgentEvent[], runId: string): number[] {
  return events
    .filter((e) => e.runId === runId && e.type === 'agent_message_delta')
    .map((e) => Number(/^#(\d+)/.exec((e.data as { delta: string }).delta)?.[1]));
}

export function terminalsOf(events: AgentEvent[], runId: string): AgentEvent[] {
  return events.filter((e) => e.runId === runId && TERMINALS.has(e.type));
}

/** Merges events of several connections by seq, keeping one copy of each. */
export function unionBySeq(...lists: AgentEvent[][]): AgentEvent[] {
  const bySeq = new Map<number, AgentEvent>();
  for (const list of lists) for (const e of list) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
