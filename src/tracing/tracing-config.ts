/**
 * Tracing settings from the environment. Tracing is on only when an OTLP endpoint is named:
 * AGENTWIRE_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the traces URL itself), or
 * OTEL_EXPORTER_OTLP_ENDPOINT (the collector's base URL; `/v1/traces` is appended, as the
 * OpenTelemetry spec says). Without one, no exporter, tracer or span exists.
 */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { TracingOptions } from './run-tracer.js';

export function tracingFromEnv(env: NodeJS.ProcessEnv): TracingOptions | undefined {
  const url = tracesUrl(env);
  if (url === undefined) return undefined;
  const headers = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);
  return {
    url,
    ...(headers ? { headers } : {}),
    ...(env.OTEL_SERVICE_NAME ? { serviceName: env.OTEL_SERVICE_NAME } : {}),
    ...numbers(env),
  };
}

const NUMBER_VARS = [
  ['AGENTWIRE_OTLP_FLUSH_INTERVAL_MS', 'flushIntervalMs'],
  ['AGENTWIRE_OTLP_MAX_BATCH_SPANS', 'maxBatchSpans'],
  ['AGENTWIRE_OTLP_MAX_QUEUE_SPANS', 'maxQueueSpans'],
  ['AGENTWIRE_OTLP_EXPORT_TIMEOUT_MS', 'exportTimeoutMs'],
] as const;

function numbers(env: NodeJS.ProcessEnv): Partial<Pick<TracingOptions, (typeof NUMBER_VARS)[number][1]>> {
  const out: Partial<Pick<TracingOptions, (typeof NUMBER_VARS)[number][1]>> = {};
  for (const [name, key] of NUMBER_VARS) {
    const raw = env[name];
    if (raw) out[key] = positive(name, raw);
  }
  return out;
}

function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const direct = env.AGENTWIRE_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = direct || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (url === undefined) return undefined;
  if (!/^https?:\/\/[^/]/.test(url)) throw new AgentwireError(InternalErrorCode.CONFIG, `the OTLP endpoint "${url}" must be an http(s) URL`);
  return url;
}

/** `key1=value1,key2=value2`, values URL-encoded (the OTEL_EXPORTER_OTLP_HEADERS format). */
function parseHeaders(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const headers: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AgentwireError(InternalErrorCode.CONFIG, 'OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas');
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new AgentwireError(InternalErrorCode.CONFIG, `${name} must be a positive integer`);
  return value;
}
