/**
 * OtlpExporter: batches finished spans and POSTs them as OTLP/HTTP JSON (`/v1/traces`). Spans
 * are sent every `flushIntervalMs` or as soon as `maxBatchSpans` are waiting; past
 * `maxQueueSpans` new spans are dropped (counted and logged), so a collector that is down never
 * grows the server's memory. An export that fails is counted and logged, not retried: traces
 * are best-effort telemetry, the run's events are the record.
 */
import type { Logger } from '../observability/logger.js';
import type { FinishedSpan, SpanAttributes, SpanAttributeValue } from './span.js';

export interface OtlpExporterOptions {
  /** Full URL of the collector's traces endpoint, e.g. http://collector:4318/v1/traces. */
  url: string;
  /** Extra request headers (OTEL_EXPORTER_OTLP_HEADERS), e.g. an API key. */
  headers?: Record<string, string>;
  /** `service.name` of the resource (OTEL_SERVICE_NAME, default "agentwire"). */
  serviceName?: string;
  /** Longest wait before waiting spans are sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Spans per request (default 512). */
  maxBatchSpans?: number;
  /** Spans waiting at most; more are dropped (default 2048). */
  maxQueueSpans?: number;
  /** An export that has not answered by then is abandoned (default 10 s). */
  exportTimeoutMs?: number;
}

export const DEFAULT_OTLP_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_OTLP_MAX_BATCH_SPANS = 512;
export const DEFAULT_OTLP_MAX_QUEUE_SPANS = 2048;
export const DEFAULT_OTLP_EXPORT_TIMEOUT_MS = 10_000;

/** How the exporter reports what it could not do (the server wires these to its metrics). */
export interface ExporterReports {
  dropped(count: number, reason: 'queue_full' | 'export_failed'): void;
}

export class OtlpExporter {
  readonly #o: Required<OtlpExporterOptions>;
  readonly #queue: FinishedSpan[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    options: OtlpExporterOptions,
    private readonly logger: Logger,
    private readonly reports: ExporterReports,
  ) {
    this.#o = {
      headers: {},
      serviceName: 'agentwire',
      flushIntervalMs: DEFAULT_OTLP_FLUSH_INTERVAL_MS,
      maxBatchSpans: DEFAULT_OTLP_MAX_BATCH_SPANS,
      maxQueueSpans: DEFAULT_OTLP_MAX_QUEUE_SPANS,
      exportTimeoutMs: DEFAULT_OTLP_EXPORT_TIMEOUT_MS,
      ...options,
    };
    this.#timer = setInterval(() => this.flush(), this.#o.flushIntervalMs).unref();
  }

  /** Takes one finished span (the spans' sink). */
  readonly add = (span: FinishedSpan): void => {
    if (this.#closed || this.#queue.length >= this.#o.maxQueueSpans) {
      this.reports.dropped(1, 'queue_full');
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#o.maxBatchSpans) this.flush();
  };

  /** Sends what is waiting now; resolves when every export started so far has settled. */
  async forceFlush(): Promise<void> {
    this.flush();
    await Promise.all([...this.#inFlight]);
  }

  flush(): void {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#o.maxBatchSpans);
      const sending = this.#send(batch).finally(() => this.#inFlight.delete(sending));
      this.#inFlight.add(sending);
    }
  }

  /** Sends what is left and stops; spans ended after this are dropped. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.forceFlush();
    this.#closed = true;
  }

  async #send(batch: FinishedSpan[]): Promise<void> {
    try {
      const response = await fetch(this.#o.url, {
        method: 'POST',
        headers: { ...this.#o.headers, 'content-type': 'application/json' },
        body: JSON.stringify(otlpBody(batch, this.#o.serviceName)),
        signal: AbortSignal.timeout(this.#o.exportTimeoutMs),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`the collector answered HTTP ${response.status}`);
    } catch (error) {
      this.reports.dropped(batch.length, 'export_failed');
      this.logger.warn('could not export spans over OTLP', { url: this.#o.url, spans: batch.length, error });
    }
  }
}

/** The OTLP/HTTP JSON body (ids in hex, times as decimal strings, as the OTLP JSON mapping says). */
export function otlpBody(spans: readonly FinishedSpan[], serviceName: string): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': serviceName }) },
        scopeSpans: [
          {
            scope: { name: 'agentwire' },
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: span.startTimeUnixNano,
              endTimeUnixNano: span.endTimeUnixNano,
              attributes: keyValues(span.attributes),
              status: span.status,
            })),
          },
        ],
      },
    ],
  };
}

function keyValues(attributes: SpanAttributes): { key: string; value: unknown }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: SpanAttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
}
