/**
 * A worker over real HTTP on port 0, scripted per run by the user's message: it records every
 * run request it received (body and headers) and whether agentwire closed the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRun {
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** Resolves when agentwire closed the request (cancel, run end). */
  closed: Promise<void>;
}

export type Script = (res: ServerResponse, run: ReceivedRun) => Promise<void> | void;

export class FakeWorker {
  readonly runs: ReceivedRun[] = [];
  readonly #server: Server;
  readonly #scripts = new Map<string, Script>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeWorker> {
    const server = createServer();
    const worker = new FakeWorker(server);
    server.on('request', (req, res) => void worker.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return worker;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/run`;
  }

  /** What to do for a run whose input is `input`. */
  on(input: string, script: Script): void {
    this.#scripts.set(input, script);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const run: ReceivedRun = { body, headers: req.headers, closed };
    this.runs.push(run);
    const script = this.#scripts.get(String(body.input));
    if (!script) {
      res.writeHead(404).end('no script');
      return;
    }
    await script(res, run);
  }
}

export function ndjson(res: ServerResponse): (event: object) => void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  return (event) => res.write(`${JSON.stringify(event)}\n`);
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
