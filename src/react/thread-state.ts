/**
 * A thread as a chat UI shows it, folded from agent events. Pure functions over immutable
 * values, no framework and no I/O: the React hook, a test or another framework can drive it.
 *
 * Events may arrive twice (the history fetched over HTTP overlaps the live stream) and out of
 * order (history lands after newer live events): a run keeps its events sorted by seq and an
 * event whose seq it already holds is dropped, so each event counts exactly once.
 */
import type { AgentEvent, TerminalEvent, ToolStatus } from '../client/index.js';

export type RunStatus = 'queued' | 'running' | 'completed' | 'cancelled' | 'error' | 'died';

export interface ThinkingStep {
  seq: number;
  reasoning: string;
  step?: number;
  /** 0..1 */
  progress?: number;
}

export interface ToolCallState {
  toolCallId: string;
  toolName: string;
  args: unknown;
  status: 'running' | ToolStatus;
  result?: unknown;
  error?: string;
  durationMs?: number;
  /** seq of tool_executing (and of tool_completed once it arrived). */
  seq: number;
  completedSeq?: number;
}

/** One piece of the streamed answer, with the seq of the delta that carried it. */
export interface AnswerPart {
  seq: number;
  text: string;
}

/** What happened in a run, in order, one entry per thing a person would see as a step. */
export type TimelineItem =
  | { kind: 'started'; seq: number; ts: string }
  | { kind: 'queued'; seq: number; message: string }
  | { kind: 'thinking'; seq: number; step: ThinkingStep }
  | { kind: 'tool'; seq: number; tool: ToolCallState }
  | { kind: 'progress'; seq: number; message: string; progress?: number };

export interface RunState {
  runId: string;
  threadId: string;
  agentName: string | undefined;
  /** The user's message: the full text when this tab sent it, else agent_started's summary. */
  userText: string | undefined;
  status: RunStatus;
  /** Every event of the run, in seq order, each once. */
  events: readonly AgentEvent[];
  timeline: readonly TimelineItem[];
  thinking: readonly ThinkingStep[];
  tools: readonly ToolCallState[];
  answer: string;
  answerParts: readonly AnswerPart[];
  /** The latest progress (0..1) reported by a thinking step or progress_update. */
  progress: number | undefined;
  terminal: TerminalEvent | undefined;
  /** ISO time of the first event, and of the terminal one. */
  startedAt: string | undefined;
  endedAt: string | undefined;
}

export interface ThreadState {
  threadId: string | undefined;
  /** Runs in the order they started; runs accepted but without events yet come last. */
  runs: readonly RunState[];
}

export function emptyThread(threadId: string | undefined): ThreadState {
  return { threadId, runs: [] };
}

export function emptyRun(runId: string, threadId: string, userText?: string): RunState {
  return {
    runId,
    threadId,
    agentName: undefined,
    userText,
    status: 'queued',
    events: [],
    timeline: [],
    thinking: [],
    tools: [],
    answer: '',
    answerParts: [],
    progress: undefined,
    terminal: undefined,
    startedAt: undefined,
    endedAt: undefined,
  };
}

/**
 * Merges events into the thread. Events of other threads are ignored; an event already held
 * (same seq in its run) is dropped. Returns the same object when nothing changed.
 */
export function addEvents(state: ThreadState, events: readonly AgentEvent[]): ThreadState {
  let runs: RunState[] | undefined;
  for (const event of events) {
    if (state.threadId === undefined || event.threadId !== state.threadId) continue;
    const current = runs ?? state.runs;
    const index = current.findIndex((run) => run.runId === event.runId);
    const before = index === -1 ? emptyRun(event.runId, event.threadId) : (current[index] as RunState);
    const after = addRunEvent(before, event);
    if (after === before) continue;
    runs ??= [...state.runs];
    if (index === -1) runs.push(after);
    else runs[index] = after;
  }
  return runs ? { ...state, runs: orderRuns(runs) } : state;
}

/**
 * A run this tab started: it shows at once (queued), with the text the user typed, before its
 * agent_started arrives.
 */
export function addLocalRun(state: ThreadState, run: { runId: string; threadId: string; text: string }): ThreadState {
  if (run.threadId !== state.threadId) return state;
  const index = state.runs.findIndex((r) => r.runId === run.runId);
  const existing = index === -1 ? undefined : state.runs[index];
  if (existing?.userText === run.text) return state;
  const runs = [...state.runs];
  if (existing) runs[index] = { ...existing, userText: run.text };
  else runs.push(emptyRun(run.runId, run.threadId, run.text));
  return { ...state, runs: orderRuns(runs) };
}

/** Adds one event to a run: appended and folded when it is the newest, else the run is refolded. */
export function addRunEvent(run: RunState, event: AgentEvent): RunState {
  const last = run.events[run.events.length - 1];
  if (!last || event.seq > last.seq) return fold({ ...run, events: [...run.events, event] }, event);
  if (run.events.some((e) => e.seq === event.seq)) return run;
  const events = [...run.events, event].sort((a, b) => a.seq - b.seq);
  return events.reduce(fold, { ...emptyRun(run.runId, run.threadId, run.userText), events });
}

/** Folds one event into a run whose `events` already contains it. */
function fold(run: RunState, event: AgentEvent): RunState {
  const base = { ...run, agentName: event.agentName, startedAt: run.startedAt ?? event.ts };
  switch (event.type) {
    case 'agent_started':
      return {
        ...base,
        userText: run.userText ?? event.data.input,
        status: run.terminal ? run.status : 'running',
        timeline: [...run.timeline, { kind: 'started', seq: event.seq, ts: event.ts }],
      };
    case 'agent_thinking': {
      const step: ThinkingStep = { seq: event.seq, reasoning: event.data.reasoning, ...pick(event.data, 'step', 'progress') };
      return {
        ...base,
        thinking: [...run.thinking, step],
        progress: event.data.progress ?? run.progress,
        timeline: [...run.timeline, { kind: 'thinking', seq: event.seq, step }],
      };
    }
    case 'tool_executing': {
      const tool: ToolCallState = { toolCallId: event.data.toolCallId, toolName: event.data.toolName, args: event.data.args, status: 'running', seq: event.seq };
      return { ...base, tools: [...run.tools, tool], timeline: [...run.timeline, { kind: 'tool', seq: event.seq, tool }] };
    }
    case 'tool_completed': {
      const known = run.tools.find((t) => t.toolCallId === event.data.toolCallId);
      const tool: ToolCallState = {
        toolCallId: event.data.toolCallId,
        toolName: event.data.toolName,
        args: known?.args,
        seq: known?.seq ?? event.seq,
        completedSeq: event.seq,
        status: event.data.status,
        durationMs: event.data.durationMs,
        ...pick(event.data, 'result', 'error'),
      };
      const timeline = known
        ? run.timeline.map((item) => (item.kind === 'tool' && item.tool.toolCallId === tool.toolCallId ? { ...item, tool } : item))
        : [...run.timeline, { kind: 'tool' as const, seq: event.seq, tool }];
      const tools = known ? run.tools.map((t) => (t.toolCallId === tool.toolCallId ? tool : t)) : [...run.tools, tool];
      return { ...base, tools, timeline };
    }
    case 'agent_message_delta':
      return { ...base, answer: run.answer + event.data.delta, answerParts: [...run.answerParts, { seq: event.seq, text: event.data.delta }] };
    case 'progress_update': {
      // Before agent_started, a progress update means the run waits for a slot.
      const item: TimelineItem =
        run.status === 'queued'
          ? { kind: 'queued', seq: event.seq, message: event.data.message }
          : { kind: 'progress', seq: event.seq, message: event.data.message, ...pick(event.data, 'progress') };
      return { ...base, progress: event.data.progress ?? run.progress, timeline: [...run.timeline, item] };
    }
    case 'agent_completed':
    case 'agent_error':
    case 'agent_death':
      return { ...base, terminal: event, status: terminalStatus(event), endedAt: event.ts };
  }
}

function terminalStatus(event: TerminalEvent): RunStatus {
  if (event.type === 'agent_completed') return 'completed';
  if (event.type === 'agent_death') return 'died';
  return event.data.code === 'cancelled' ? 'cancelled' : 'error';
}

/** Runs with events by their first seq; runs without events keep their order, at the end. */
function orderRuns(runs: RunState[]): RunState[] {
  const firstSeq = (run: RunState) => run.events[0]?.seq ?? Number.POSITIVE_INFINITY;
  return runs.map((run, index) => ({ run, index })).sort((a, b) => firstSeq(a.run) - firstSeq(b.run) || a.index - b.index).map(({ run }) => run);
}

/** The listed keys of `source` that are not undefined (exactOptionalPropertyTypes-friendly). */
function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key] as Exclude<T[K], undefined>;
  return out;
}

export function isFinished(run: RunState): boolean {
  return run.terminal !== undefined;
}
