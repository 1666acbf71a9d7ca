/**
 * A recording WebSocket test client over `ws`: it keeps every frame the server sent, parsed,
 * so tests assert on what arrived, never on what they sent.
 */
import WebSocket from 'ws';
import type { AgentEvent, ConnectionEstablished, ServerMessage } from 'agentwire';

export interface Closed {
  code: number;
  reason: string;
}

export class TestClient {
  readonly frames: ServerMessage[] = [];
  readonly closed: Promise<Closed>;
  #waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      const text = (data as Buffer).toString('utf8');
      this.frames.push(JSON.parse(text) as ServerMessage);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(wsUrl: string, token: string | undefined, options: { lastSeq?: number; epoch?: string; via?: 'header' | 'subprotocol' | 'query'; protocols?: string[] } = {}): Promise<TestClient> {
    const url = new URL(wsUrl);
    if (options.lastSeq !== undefined) url.searchParams.set('lastSeq', String(options.lastSeq));
    if (options.epoch !== undefined) url.searchParams.set('epoch', options.epoch);
    const via = options.via ?? 'header';
    let protocols = options.protocols;
    const headers: Record<string, string> = {};
    if (token !== undefined) {
      if (via === 'header') headers.authorization = `Bearer ${token}`;
      if (via === 'query') url.searchParams.set('access_token', token);
      if (via === 'subprotocol') protocols = ['agentwire.v1', `bearer.${token}`];
    }
    const socket = new WebSocket(url, protocols, { headers, perMessageDeflate: false });
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      socket.once('error', reject);
    });
    return client;
  }

  /** Connects and waits for connection_established. */
  static async open(wsUrl: string, token: string, options: { lastSeq?: number; epoch?: string } = {}): Promise<TestClient> {
    const client = await TestClient.connect(wsUrl, token, options);
    await client.waitFor((f) => f.type === 'connection_established');
    return client;
  }

  get established(): ConnectionEstablished {
    const frame = this.frames.find((f) => f.type === 'connection_established');
    if (!frame) throw new Error('no connection_established yet');
    return frame;
  }

  /** Agent events received, in arrival order. */
  events(): AgentEvent[] {
    return this.frames.filter((f): f is AgentEvent => 'seq' in f && 'eventId' in f);
  }

  runEvents(runId: string): AgentEvent[] {
    return this.events().filter((e) => e.runId === runId);
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first frame (from the start) matching the predicate. */
  async waitFor<T extends ServerMessage = ServerMessage>(predicate: (frame: ServerMessage) => boolean, timeoutMs = 10_000): Promise<T> {
    return (await this.waitUntil(() => this.frames.find(predicate), timeoutMs)) as T;
  }

  /** Resolves once `check` returns something other than undefined/false. */
  async waitUntil<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; last frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the terminal event of a run. */
  terminalOf(runId: string, timeoutMs = 10_000): Promise<AgentEvent> {
    return this.waitFor<AgentEvent>((f) => 'runId' in f && f.runId === runId && 'seq' in f && (f.type === 'agent_completed' || f.type === 'agent_error' || f.type === 'agent_death'), timeoutMs);
  }

  /** Sends a user_message and waits for its run_accepted (or error). */
  async submit(text: string, options: { threadId?: string; agent?: string; clientMessageId?: string } = {}): Promise<{ runId: string; threadId: string }> {
    const clientMessageId = options.clientMessageId ?? `cm-${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'user_message', text, clientMessageId, ...(options.threadId ? { threadId: options.threadId } : {}), ...(options.agent ? { agent: options.agent } : {}) });
    const answer = await this.waitFor((f) => (f.type === 'run_accepted' || f.type === 'error') && 'clientMessageId' in f && f.clientMessageId === clientMessageId);
    if (answer.type !== 'run_accepted') throw new Error(`submit refused: ${JSON.stringify(answer)}`);
    return { runId: answer.runId, threadId: answer.threadId };
  }

  close(): Promise<Closed> {
    this.socket.close();
    return this.closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Asserts nothing: returns the seqs of the events, for expectations. */
export function seqs(events: AgentEvent[]): number[] {
  return events.map((e) => e.seq);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
