/**
 * RunTracer: the spans of agent runs, named and attributed after the OpenTelemetry GenAI
 * semantic conventions (`invoke_agent`, `execute_tool`, `chat`). The engine gets one only when
 * tracing is configured; otherwise it holds `undefined` and no span object is ever made.
 */
import type { Logger } from '../observability/logger.js';
import { OtlpExporter, type ExporterReports, type OtlpExporterOptions } from './otlp-exporter.js';
import { Span, SpanKind, type TraceSpan } from './span.js';

export type TracingOptions = OtlpExporterOptions;

export class RunTracer {
  readonly #exporter: OtlpExporter;

  constructor(options: TracingOptions, logger: Logger, reports: ExporterReports) {
    this.#exporter = new OtlpExporter(options, logger, reports);
  }

  /** The span of one run: the parent of its model calls, tool calls and a remote worker's spans. */
  startRun(run: { agentName: string; runId: string; threadId: string }): TraceSpan {
    return new Span(
      `invoke_agent ${run.agentName}`,
      SpanKind.INTERNAL,
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': run.agentName,
        'gen_ai.conversation.id': run.threadId,
        'agentwire.run.id': run.runId,
      },
      undefined,
      undefined,
      this.#exporter.add,
    );
  }

  /** Sends the spans waiting now (tests; shutdown goes through close). */
  flush(): Promise<void> {
    return this.#exporter.forceFlush();
  }

  close(): Promise<void> {
    return this.#exporter.close();
  }
}

/** The span of one tool call, a child of the run's span. */
export function startToolSpan(run: TraceSpan, toolName: string, toolCallId: string): TraceSpan {
  return run.child(`execute_tool ${toolName}`, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': toolName,
    'gen_ai.tool.call.id': toolCallId,
    'gen_ai.tool.type': 'function',
  });
}

/** The span of one model call (one step of a model agent), a child of the run's span. */
export function startChatSpan(run: TraceSpan, model: { provider: string; modelId: string }): TraceSpan {
  return run.child(
    `chat ${model.modelId}`,
    { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': model.provider, 'gen_ai.request.model': model.modelId },
    SpanKind.CLIENT,
  );
}

/** Ends a run's span with its terminal event: completed is OK; an error or a death carries its code. */
export function endRunSpan(span: TraceSpan, terminal: string, data: object): void {
  span.set('agentwire.run.terminal', terminal);
  if (terminal !== 'agent_completed') {
    const fields = data as { code?: unknown; cause?: unknown; message?: unknown };
    const errorType = typeof fields.code === 'string' ? fields.code : typeof fields.cause === 'string' ? fields.cause : terminal;
    span.fail(errorType, typeof fields.message === 'string' ? fields.message : undefined);
  }
  span.end();
}
