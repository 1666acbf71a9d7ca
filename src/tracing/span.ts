/**
 * A span of agentwire's own tracing: a run, a model call, a tool call. Hand-written rather than
 * the OpenTelemetry SDK (docs/remote-agents.md says why): a span is a plain record that the
 * exporter turns into OTLP/HTTP JSON. Nothing here is created when tracing is off: the engine
 * holds `undefined` instead of a tracer and every call site is `span?.…`.
 */
import { randomBytes } from 'node:crypto';

export type SpanAttributeValue = string | number | boolean | readonly string[];
export type SpanAttributes = Record<string, SpanAttributeValue>;

/** OTLP's SpanKind numbers. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** What a finished span hands to the exporter. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: SpanAttributes;
  status: { code: 0 | 1 | 2; message?: string };
}

/** What the agent side sees of a span: children, attributes, an outcome, and the W3C traceparent. */
export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** `00-<trace>-<span>-01`: sent to a remote worker, whose spans then hang below this one. */
  readonly traceparent: string;
  child(name: string, attributes?: SpanAttributes, kind?: SpanKind): TraceSpan;
  set(key: string, value: SpanAttributeValue): void;
  /** Marks the span failed; `errorType` becomes `error.type` (a stable code, not a message). */
  fail(errorType: string, message?: string): void;
  /** Ends the span (once; later calls are ignored) and hands it to the exporter. */
  end(): void;
}

export type SpanSink = (span: FinishedSpan) => void;

export class Span implements TraceSpan {
  readonly traceId: string;
  readonly spanId = randomBytes(8).toString('hex');
  readonly #start = nowUnixNano();
  readonly #attributes: SpanAttributes;
  #status: FinishedSpan['status'] = { code: 0 };
  #ended = false;

  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    attributes: SpanAttributes,
    readonly parentSpanId: string | undefined,
    traceId: string | undefined,
    private readonly sink: SpanSink,
  ) {
    this.traceId = traceId ?? randomBytes(16).toString('hex');
    this.#attributes = { ...attributes };
  }

  get traceparent(): string {
    return `00-${this.traceId}-${this.spanId}-01`;
  }

  child(name: string, attributes: SpanAttributes = {}, kind: SpanKind = SpanKind.INTERNAL): TraceSpan {
    return new Span(name, kind, attributes, this.spanId, this.traceId, this.sink);
  }

  set(key: string, value: SpanAttributeValue): void {
    this.#attributes[key] = value;
  }

  fail(errorType: string, message?: string): void {
    this.#attributes['error.type'] = errorType;
    this.#status = message === undefined ? { code: 2 } : { code: 2, message };
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.sink({
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startTimeUnixNano: this.#start,
      endTimeUnixNano: nowUnixNano(),
      attributes: this.#attributes,
      status: this.#status.code === 0 ? { code: 1 } : this.#status,
    });
  }
}

/**
 * Wall-clock time in nanoseconds as a decimal string (OTLP JSON's fixed64): epoch nanoseconds
 * pass 2^53, so the whole milliseconds and the fraction are joined as text, not multiplied.
 */
function nowUnixNano(): string {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  const fraction = Math.floor((ms - whole) * 1e6);
  return `${whole}${String(fraction).padStart(6, '0')}`;
}
