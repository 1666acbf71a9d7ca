/**
 * A worker's response body as WorkerActions, by content type:
 *   application/x-ndjson (or application/jsonl)  agentwire events, one `{type, data}` per line
 *   text/event-stream                            agentwire events (`event: <type>`) or AG-UI events
 *                                                (data-only, `{"type": "TEXT_MESSAGE_CONTENT", …}`)
 * Any other content type is a protocol error: guessing would deliver what the worker did not mean.
 */
import { AgUiDecoder } from './ag-ui-decoder.js';
import { decodeAgentwireEvent, decodeAgentwireObject, isAgentwireType, parseWorkerJson, protocolError } from './agentwire-decoder.js';
import { readSse } from './sse-reader.js';
import type { WorkerAction } from './worker-action.js';

export async function* readWorkerEvents(contentType: string, lines: AsyncIterable<string>, maxEventBytes: number): AsyncGenerator<WorkerAction> {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-ndjson' || mediaType === 'application/jsonl' || mediaType === 'application/ndjson') {
    yield* readNdjson(lines);
  } else if (mediaType === 'text/event-stream') {
    yield* readEventStream(lines, maxEventBytes);
  } else {
    throw protocolError(`unsupported content type "${mediaType.slice(0, 60)}" (expected application/x-ndjson or text/event-stream)`);
  }
}

async function* readNdjson(lines: AsyncIterable<string>): AsyncGenerator<WorkerAction> {
  for await (const line of lines) {
    // A blank line is a keep-alive: a worker may send one to say it is alive.
    if (line.trim() === '') yield { kind: 'keepalive' };
    else yield decodeAgentwireObject(parseWorkerJson(line));
  }
}

async function* readEventStream(lines: AsyncIterable<string>, maxEventBytes: number): AsyncGenerator<WorkerAction> {
  const agUi = new AgUiDecoder();
  for await (const item of readSse(lines, maxEventBytes)) {
    if (item.kind === 'keepalive') {
      yield item;
      continue;
    }
    const value = parseWorkerJson(item.data);
    if (item.event !== undefined && item.event !== 'message') {
      yield decodeAgentwireEvent(item.event, value);
      continue;
    }
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && isAgentwireType(type)) yield decodeAgentwireObject(value);
    else yield* agUi.decode(value);
  }
}
