/**
 * The tool calls a remote worker reports (tool_executing, then tool_completed with the same
 * toolCallId) as execute_tool spans below the run's span, so a trace shows a worker's tools like
 * an in-process agent's. Made only when tracing is on. A call the worker never completes ends
 * with the run, marked `worker_lost`, so no span is left open.
 */
import { startToolSpan } from '../tracing/run-tracer.js';
import type { TraceSpan } from '../tracing/span.js';
import type { WorkerAction } from './worker-action.js';

/** A worker may report many calls; a run keeps at most this many open spans (a bound on memory). */
const MAX_OPEN_TOOL_SPANS = 256;

export class WorkerToolSpans {
  readonly #open = new Map<string, TraceSpan>();

  constructor(private readonly run: TraceSpan) {}

  observe(action: Extract<WorkerAction, { kind: 'emit' }>): void {
    if (action.type === 'tool_executing') {
      if (this.#open.size >= MAX_OPEN_TOOL_SPANS || this.#open.has(action.data.toolCallId)) return;
      this.#open.set(action.data.toolCallId, startToolSpan(this.run, action.data.toolName, action.data.toolCallId));
    } else if (action.type === 'tool_completed') {
      const span = this.#open.get(action.data.toolCallId);
      if (!span) return;
      this.#open.delete(action.data.toolCallId);
      if (action.data.status !== 'success') span.fail(action.data.status === 'timeout' ? 'timeout' : 'tool_error', action.data.error);
      span.end();
    }
  }

  /** Ends the calls still open when the run ends. */
  endAll(): void {
    for (const span of this.#open.values()) {
      span.fail('worker_lost', 'the run ended before the worker completed this tool call');
      span.end();
    }
    this.#open.clear();
  }
}
