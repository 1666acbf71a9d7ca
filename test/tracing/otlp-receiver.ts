/**
 * A tiny OTLP/HTTP JSON receiver on port 0: it keeps every span POSTed to /v1/traces, flattened
 * with its resource's service.name, so a test asserts on what the exporters actually sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  status: { code: number; message?: string };
  attributes: Record<string, string | number | boolean | string[]>;
}

interface OtlpValue { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: OtlpValue[] } }
interface OtlpKeyValue { key: string; value: OtlpValue }
interface OtlpBody {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; status: ReceivedSpan['status']; attributes: OtlpKeyValue[] }[] }[];
  }[];
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  requests = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        receiver.requests += 1;
        if (request.url === '/v1/traces' && request.method === 'POST') receiver.#take(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  #take(body: OtlpBody): void {
    for (const resource of body.resourceSpans) {
      const service = String(plain(resource.resource.attributes)['service.name']);
      for (const scope of resource.scopeSpans) {
        for (const span of scope.spans) {
          this.spans.push({ service, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, kind: span.kind, status: span.status, attributes: plain(span.attributes) });
        }
      }
    }
  }
}

function plain(attributes: OtlpKeyValue[]): ReceivedSpan['attributes'] {
  return Object.fromEntries(attributes.map(({ key, value }) => [key, decode(value)]));
}

function decode(value: OtlpValue): string | number | boolean | string[] {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return (value.arrayValue?.values ?? []).map((v) => String(v.stringValue));
}
