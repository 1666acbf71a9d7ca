/**
 * A deterministic reconnect harness on the client side: a WebSocket implementation (injected
 * through the SDK's `WebSocket` option) that wraps a real `ws` socket and lets a test cut the
 * connection now, refuse new connections (offline), and drop, duplicate or delay chosen
 * inbound frames. The server is real; only the wire between them is under the test's control.
 */
import WebSocket from 'ws';
import type { WebSocketConstructor, WebSocketLike } from 'agentwire/client';
import { sendInOneWrite } from './raw-burst.js';

export type InboundRule = (frame: { type: string; seq?: number; raw: string }, socket: FaultSocket) => 'pass' | 'drop' | 'duplicate' | { delayMs: number };

export class FaultController {
  readonly sockets: FaultSocket[] = [];
  /** While true, new connections fail as if the network were down. */
  offline = false;
  inbound: InboundRule = () => 'pass';
  /** Raw frames that reached the harness (before any fault), per socket index. */
  readonly arrived: string[][] = [];

  get current(): FaultSocket | undefined {
    return this.sockets[this.sockets.length - 1];
  }

  /** Cuts the current connection abruptly (no close frame), like a dropped network. Returns whether one was open. */
  cut(): boolean {
    const socket = this.current;
    if (socket?.readyState !== 1) return false;
    socket.cut();
    return true;
  }

  WebSocket(): WebSocketConstructor {
    return faultSocketClass(this);
  }
}

function faultSocketClass(controller: FaultController): WebSocketConstructor {
  return class extends FaultSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(controller, url, protocols);
    }
  };
}

export class FaultSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly index: number;
  readonly #ws: WebSocket | undefined;
  #closedEmitted = false;

  constructor(
    private readonly controller: FaultController,
    url: string,
    protocols?: string | string[],
  ) {
    this.index = controller.sockets.length;
    controller.sockets.push(this);
    controller.arrived.push([]);
    if (controller.offline) {
      setTimeout(() => this.#emitClose(1006, 'offline'), 5);
      return;
    }
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
    this.#ws = ws;
    ws.on('open', () => this.onopen?.({}));
    ws.on('message', (data: Buffer) => this.#inbound(data.toString('utf8')));
    ws.on('close', (code, reason) => this.#emitClose(code, reason.toString()));
    ws.on('error', () => undefined);
  }

  get readyState(): number {
    return this.#ws?.readyState ?? 3;
  }

  send(data: string): void {
    this.#ws?.send(data);
  }

  close(code?: number, reason?: string): void {
    if (!this.#ws) return;
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) this.#ws.close();
    else this.#ws.close(code, reason);
  }

  cut(): void {
    this.#ws?.terminate();
  }

  /** Sends frames the application did not ask for, all in one TCP write (a burst). */
  burst(messages: readonly string[]): Promise<void> {
    if (this.#ws?.readyState !== 1) return Promise.resolve();
    return sendInOneWrite(this.#ws, messages);
  }

  /** Stops reading from the network for `ms` (a slow consumer): the server's buffers fill up. */
  stall(ms: number): void {
    const ws = this.#ws;
    if (!ws) return;
    ws.pause();
    setTimeout(() => ws.resume(), ms);
  }

  /** Delivers a frame through this (possibly stale) socket's handler, as a late callback would. */
  deliverLate(raw: string): void {
    this.onmessage?.({ data: raw });
  }

  #inbound(raw: string): void {
    this.controller.arrived[this.index]?.push(raw);
    const parsed = JSON.parse(raw) as { type: string; seq?: number };
    const verdict = this.controller.inbound({ type: parsed.type, ...(parsed.seq === undefined ? {} : { seq: parsed.seq }), raw }, this);
    if (verdict === 'drop') return;
    if (verdict === 'duplicate') {
      this.onmessage?.({ data: raw });
      this.onmessage?.({ data: raw });
      return;
    }
    if (verdict === 'pass') {
      this.onmessage?.({ data: raw });
      return;
    }
    setTimeout(() => this.onmessage?.({ data: raw }), verdict.delayMs);
  }

  #emitClose(code: number, reason: string): void {
    if (this.#closedEmitted) return;
    this.#closedEmitted = true;
    this.onclose?.({ code, reason });
  }
}
