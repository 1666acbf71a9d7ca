/**
 * The `stream` agent as a remote worker: a separate process that takes agentwire's run requests
 * over HTTP and answers with the same deltas the in-process `stream` agent emits (same size,
 * same index prefix, one abortable timer of `intervalMs` between events), as NDJSON. Started by
 * `servers/agentwire.ts --remote` as its child, so it shares core 0 with the server it feeds.
 *
 *   node --conditions=agentwire-source --import tsx bench/servers/stream-worker.ts
 * prints `WORKER_READY <port>`; exits when stdin closes (its parent died or closed it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PADDING = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The stream agent's delta for event `index` (its 1-based index, then padding to `bytes`). */
function streamDelta(index: number, bytes: number): string {
  const label = `#${String(index).padStart(6, '0')} `;
  const padding = Math.max(0, bytes - label.length);
  return label + PADDING.repeat(Math.ceil(padding / PADDING.length)).slice(0, padding);
}

interface StreamAsk { events: number; intervalMs: number; bytes: number }

function parseAsk(body: string): StreamAsk {
  const request = JSON.parse(body) as { input?: unknown };
  const ask = JSON.parse(String(request.input)) as Partial<StreamAsk>;
  if (!Number.isSafeInteger(ask.events) || (ask.events as number) < 1) throw new Error('events must be a positive integer');
  return { events: ask.events as number, intervalMs: ask.intervalMs ?? 0, bytes: ask.bytes ?? 60 };
}

function streamRun(ask: StreamAsk, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  // agentwire closing the request (cancel at the end of a step) stops the run, like the agent's aborted sleep.
  res.on('close', () => clearTimeout(timer));
  res.on('error', () => undefined);
  const next = (): void => {
    if (res.destroyed) return;
    index += 1;
    res.write(`${JSON.stringify({ type: 'agent_message_delta', data: { delta: streamDelta(index, ask.bytes) } })}\n`);
    if (index >= ask.events) {
      res.end('{"type":"agent_completed","data":{"result":null}}\n');
      return;
    }
    timer = setTimeout(next, ask.intervalMs);
  };
  next();
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let ask: StreamAsk;
    try {
      ask = parseAsk(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    streamRun(ask, res);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, onRequest);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`WORKER_READY ${(server.address() as AddressInfo).port}\n`);
});
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
