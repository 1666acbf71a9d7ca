/**
 * A small OpenAI-compatible chat-completions server for tests, on a real port: each request gets
 * the reply the test scripted for it, streamed as server-sent events the way OpenAI streams
 * (role chunk, content / reasoning_content / tool_calls deltas, finish_reason, a usage chunk,
 * [DONE]). It records what arrived and whether the client closed the request before the stream
 * ended, so a test can prove that a cancel really aborted the HTTP request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One SSE `data:` payload, optionally after a pause. */
export interface Step {
  data: unknown;
  delayMs?: number;
}

export type Reply =
  | { kind: 'stream'; steps: Step[] }
  /** A non-streamed HTTP error answer, OpenAI-shaped. */
  | { kind: 'http-error'; status: number; message: string; type?: string };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: ChatRequestBody;
  /** The client closed the connection before the scripted stream was fully written. */
  abortedByClient: boolean;
  /** Resolves when the response is over: written to the end, or cut by the client. */
  readonly over: Promise<void>;
}

export interface ChatRequestBody {
  model: string;
  stream: boolean;
  messages: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description?: string; parameters: unknown } }[];
  stream_options?: { include_usage?: boolean };
}

export type Script = (body: ChatRequestBody, index: number) => Reply;

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  #script: Script;

  private constructor(server: Server, script: Script) {
    this.#server = server;
    this.#script = script;
  }

  static async start(script: Script): Promise<FakeOpenAI> {
    const server = createServer();
    const fake = new FakeOpenAI(server, script);
    server.on('request', (req, res) => {
      void fake.#handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The base URL to give the provider (…/v1). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  script(script: Script): void {
    this.#script = script;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
    let markOver!: () => void;
    const record: RecordedRequest = {
      path: req.url ?? '',
      headers: req.headers,
      body,
      abortedByClient: false,
      over: new Promise((resolve) => {
        markOver = resolve;
      }),
    };
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.abortedByClient = true;
      markOver();
    });
    const reply = this.#script(body, this.requests.length - 1);
    if (reply.kind === 'http-error') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: reply.message, type: reply.type ?? 'server_error', code: null } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const step of reply.steps) {
      if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
      if (res.destroyed) return;
      res.write(`data: ${typeof step.data === 'string' ? step.data : JSON.stringify(step.data)}\n\n`);
    }
    res.end();
  }
}

// Builders for the chunks of one streamed completion.

const BASE = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'fake-model' };

function chunk(delta: Record<string, unknown>, finishReason: string | null = null): unknown {
  return { ...BASE, choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

export const sse = {
  role: (): Step => ({ data: chunk({ role: 'assistant', content: '' }) }),
  text: (content: string, delayMs?: number): Step => ({ data: chunk({ content }), ...(delayMs ? { delayMs } : {}) }),
  reasoning: (text: string): Step => ({ data: chunk({ reasoning_content: text }) }),
  /** A tool call whose arguments arrive split into `parts` chunks, the name in the first. */
  toolCall: (index: number, id: string, name: string, args: string, parts = 3): Step[] => {
    const size = Math.ceil(args.length / parts);
    const pieces = Array.from({ length: parts }, (_, i) => args.slice(i * size, (i + 1) * size));
    return [
      { data: chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }) },
      ...pieces.map((piece) => ({ data: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }) })),
    ];
  },
  finish: (reason: 'stop' | 'tool_calls' | 'length'): Step => ({ data: chunk({}, reason) }),
  usage: (prompt: number, completion: number, reasoning?: number): Step => ({
    data: {
      ...BASE,
      choices: [],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        ...(reasoning === undefined ? {} : { completion_tokens_details: { reasoning_tokens: reasoning } }),
      },
    },
  }),
  /** An error object in the middle of the stream, as OpenAI-compatible servers send one. */
  error: (message: string): Step => ({ data: { error: { message, type: 'server_error', code: 'overloaded' } } }),
  done: (): Step => ({ data: '[DONE]' }),
};

/** A complete streamed answer: optional reasoning, then text, then stop and usage. */
export function answer(text: string[], options: { reasoning?: string[]; usage?: [number, number] } = {}): Reply {
  return {
    kind: 'stream',
    steps: [
      sse.role(),
      ...(options.reasoning ?? []).map((r) => sse.reasoning(r)),
      ...text.map((t) => sse.text(t)),
      sse.finish('stop'),
      sse.usage(...(options.usage ?? [12, 7])),
      sse.done(),
    ],
  };
}
