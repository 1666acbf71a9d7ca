/**
 * The load generator's side of each system: one small adapter per protocol over the same
 * machinery (`ws` sockets for raw ws and agentwire, socket.io-client — itself on `ws` — for
 * Socket.IO), feeding the same measurement sink. Frames from `ws` sockets are not parsed as a
 * whole: the adapter reads `type`, `seq` and `ts` where the envelope puts them, so the load
 * generator stays cheap enough not to be the bottleneck.
 */
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientKind } from './systems.js';

export const BENCH_SECRET = process.env.BENCH_JWT_SECRET ?? 'agentwire-bench-secret-at-least-32-bytes!';
const key = new TextEncoder().encode(BENCH_SECRET);
const tokens = new Map<string, string>();

export async function tokenFor(userId: string): Promise<string> {
  let token = tokens.get(userId);
  if (token === undefined) {
    token = await new SignJWT({ sub: userId }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('6h').sign(key);
    tokens.set(userId, token);
  }
  return token;
}

/** Where a user's link reports what arrived. */
export interface Sink {
  /** An agent_message_delta arrived; `ts` is the server's publish time (ms since the epoch). */
  delta(ts: number): void;
  /** A run ended (completed, cancelled, failed). */
  terminal(): void;
  /** The server refused something (an `error` frame). */
  error(message: string): void;
}

export interface UserLink {
  /** Asks this user's agent for `events` deltas of 60 bytes, `intervalMs` apart. */
  start(events: number, intervalMs: number): void;
  /** Cancels the run in progress, if any. */
  stop(): void;
  readonly running: boolean;
  close(): void;
}

const TERMINAL = new Set(['agent_completed', 'agent_error', 'agent_death']);
const CONNECT_TIMEOUT_MS = 30_000;

function fieldString(text: string, name: string): string | undefined {
  const marker = `"${name}":"`;
  const start = text.indexOf(marker);
  if (start < 0) return undefined;
  const from = start + marker.length;
  return text.slice(from, text.indexOf('"', from));
}

function fieldNumber(text: string, name: string): number {
  const marker = `"${name}":`;
  const start = text.indexOf(marker);
  if (start < 0) return Number.NaN;
  let end = start + marker.length;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end += 1;
  return Number(text.slice(start + marker.length, end));
}

/** raw ws and agentwire: JSON text frames over one `ws` socket. */
class JsonSocketLink implements UserLink {
  running = false;
  #sink: Sink | undefined;
  #runs = 0;
  #runId: string | undefined;
  #threadId: string | undefined;
  #cancelWhenAccepted = false;
  #lastSeq = 0;
  #ackedSeq = 0;
  #ackTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly flavour: 'ws' | 'agentwire',
    private readonly userId: string,
  ) {
    socket.on('message', (data: Buffer) => this.#onFrame(data.toString('utf8')));
  }

  setSink(sink: Sink): void {
    this.#sink = sink;
  }

  start(events: number, intervalMs: number): void {
    this.running = true;
    this.#runs += 1;
    if (this.flavour === 'ws') {
      this.socket.send(JSON.stringify({ type: 'start', events, intervalMs, bytes: 60 }));
      return;
    }
    this.#runId = undefined;
    this.#cancelWhenAccepted = false;
    this.socket.send(
      JSON.stringify({
        type: 'user_message',
        text: JSON.stringify({ events, intervalMs, bytes: 60 }),
        agent: 'stream',
        clientMessageId: `cm-${this.userId}-${this.#runs}`,
        ...(this.#threadId === undefined ? {} : { threadId: this.#threadId }),
      }),
    );
  }

  stop(): void {
    if (!this.running) return;
    if (this.flavour === 'ws') this.socket.send('{"type":"stop"}');
    else if (this.#runId === undefined) this.#cancelWhenAccepted = true;
    else this.socket.send(JSON.stringify({ type: 'cancel', runId: this.#runId }));
  }

  close(): void {
    clearTimeout(this.#ackTimer);
    this.socket.terminate();
  }

  #onFrame(text: string): void {
    const type = fieldString(text, 'type');
    if (type === 'agent_message_delta') {
      this.#sink?.delta(Date.parse(fieldString(text, 'ts')!));
    } else if (type !== undefined && TERMINAL.has(type)) {
      this.running = false;
      this.#sink?.terminal();
    } else if (type === 'run_accepted') {
      this.#runId = fieldString(text, 'runId');
      this.#threadId = fieldString(text, 'threadId');
      if (this.#cancelWhenAccepted) this.stop();
    } else if (type === 'error') {
      this.#sink?.error(text);
      if (fieldString(text, 'clientMessageId') !== undefined) {
        this.running = false;
        this.#sink?.terminal();
      }
    }
    if (this.flavour === 'agentwire' && text.startsWith('{"v":1,')) this.#advance(fieldNumber(text, 'seq'));
  }

  /** Cumulative acks every 250 ms, as the SDK sends them. */
  #advance(seq: number): void {
    if (seq > this.#lastSeq) this.#lastSeq = seq;
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      if (this.#lastSeq > this.#ackedSeq && this.socket.readyState === WebSocket.OPEN) {
        this.#ackedSeq = this.#lastSeq;
        this.socket.send(`{"type":"ack","seq":${this.#lastSeq}}`);
      }
    }, 250);
  }
}

interface PeerEnvelope {
  type: string;
  ts: string;
}

class SocketIoLink implements UserLink {
  running = false;
  #sink: Sink | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('event', (envelope: PeerEnvelope) => {
      if (envelope.type === 'agent_message_delta') this.#sink?.delta(Date.parse(envelope.ts));
      else if (TERMINAL.has(envelope.type)) {
        this.running = false;
        this.#sink?.terminal();
      }
    });
  }

  setSink(sink: Sink): void {
    this.#sink = sink;
  }

  start(events: number, intervalMs: number): void {
    this.running = true;
    this.socket.emit('start', { events, intervalMs, bytes: 60 });
  }

  stop(): void {
    if (this.running) this.socket.emit('stop');
  }

  close(): void {
    this.socket.disconnect();
  }
}

export type Link = UserLink & { setSink(sink: Sink): void };

/** Opens one authenticated connection for `userId` and waits for the server's first frame. */
export async function connectUser(kind: ClientKind, url: string, userId: string): Promise<Link> {
  const token = await tokenFor(userId);
  if (kind === 'socketio') {
    // perMessageDeflate reaches the `ws` constructor as-is; its type only admits the threshold form.
    const perMessageDeflate = false as unknown as { threshold: number };
    const socket = io(url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false, timeout: CONNECT_TIMEOUT_MS, perMessageDeflate });
    const link = new SocketIoLink(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket.io connect timed out for ${userId}`)), CONNECT_TIMEOUT_MS);
      socket.once('connection_established', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return link;
  }
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
  const link = new JsonSocketLink(socket, kind, userId);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect timed out for ${userId}`)), CONNECT_TIMEOUT_MS);
    const onFirst = (data: Buffer): void => {
      clearTimeout(timer);
      const text = data.toString('utf8');
      if (fieldString(text, 'type') === 'connection_established') resolve();
      else reject(new Error(`unexpected first frame: ${text.slice(0, 200)}`));
    };
    socket.once('message', onFirst);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`closed with ${code} before connection_established`));
    });
  });
  socket.on('error', () => undefined);
  return link;
}

/** Opens `count` connections, `concurrency` at a time; user i connects to urls[i mod n]. */
export async function connectMany(kind: ClientKind, urls: string[], userIds: string[], concurrency = 100): Promise<Link[]> {
  const links: Link[] = new Array<Link>(userIds.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < userIds.length) {
      const index = next;
      next += 1;
      links[index] = await connectUser(kind, urls[index % urls.length]!, userIds[index]!);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, userIds.length) }, worker));
  } catch (error) {
    for (const link of links) link?.close();
    throw error;
  }
  return links;
}
