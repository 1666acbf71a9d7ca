/**
 * The peers' equivalent of agentwire's `stream` diagnostic agent: on "start" a per-user loop
 * emits agent_started, N agent_message_delta envelopes M ms apart, then agent_completed (or
 * agent_error "cancelled" on "stop"). The envelopes have agentwire's shape and size, field for
 * field, with the server's `ts` (ISO, millisecond) stamped when each one is published, and the
 * loop paces itself exactly as the agent does (one abortable timer per interval), so the only
 * difference left between the systems is what they do between publish and socket.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentEventEnvelope } from 'agentwire/protocol';

const PADDING = 'abcdefghijklmnopqrstuvwxyz0123456789';
const EPOCH = randomUUID();
const EVENT_ID_PREFIX = randomBytes(8).toString('base64url');
let eventCounter = 0;

/** The same delta text as agentwire's `stream` agent: its 1-based index, then padding up to `bytes`. */
export function streamDelta(index: number, bytes: number): string {
  const label = `#${String(index).padStart(6, '0')} `;
  const padding = Math.max(0, bytes - label.length);
  return label + PADDING.repeat(Math.ceil(padding / PADDING.length)).slice(0, padding);
}

export interface StartRequest {
  events: number;
  intervalMs: number;
  bytes: number;
}

export function parseStartRequest(value: unknown): StartRequest {
  const request = value as Partial<StartRequest> | null;
  const events = request?.events;
  const intervalMs = request?.intervalMs ?? 0;
  const bytes = request?.bytes ?? 60;
  if (!Number.isInteger(events) || !Number.isInteger(intervalMs) || !Number.isInteger(bytes)) throw new Error('start: expected {events, intervalMs, bytes} integers');
  return { events: events!, intervalMs, bytes };
}

/** agentwire's envelope, field for field, with any type and payload. */
export type PeerEnvelope = Omit<AgentEventEnvelope, 'type' | 'data'> & { type: string; data: unknown };

function serverId(prefix: string): string {
  // agentwire's run and thread ids: a prefix and 22 characters.
  return `${prefix}_${randomBytes(17).toString('base64url').slice(0, 22)}`;
}

/** One user's stream: its seq counter and the run going on, if any. */
export class PeerUser {
  #seq = 0;
  #abort: AbortController | undefined;
  readonly #threadId = serverId('thr');

  constructor(
    readonly userId: string,
    private readonly publish: (envelope: PeerEnvelope) => void,
  ) {}

  #emit(runId: string, type: string, data: unknown): void {
    this.#seq += 1;
    eventCounter += 1;
    this.publish({
      v: 1,
      type,
      seq: this.#seq,
      epoch: EPOCH,
      eventId: EVENT_ID_PREFIX + eventCounter.toString(36),
      runId,
      threadId: this.#threadId,
      userId: this.userId,
      agentName: 'stream',
      ts: new Date().toISOString(),
      data,
    });
  }

  /** Starts a run (the previous one, if any, is cancelled first). */
  start(request: StartRequest): void {
    this.stop();
    const abort = new AbortController();
    this.#abort = abort;
    void this.#run(request, abort.signal).finally(() => {
      if (this.#abort === abort) this.#abort = undefined;
    });
  }

  stop(): void {
    this.#abort?.abort();
  }

  async #run({ events, intervalMs, bytes }: StartRequest, signal: AbortSignal): Promise<void> {
    const runId = serverId('run');
    const started = Date.now();
    this.#emit(runId, 'agent_started', { input: JSON.stringify({ events, intervalMs, bytes }) });
    try {
      for (let index = 1; index <= events; index += 1) {
        signal.throwIfAborted();
        this.#emit(runId, 'agent_message_delta', { delta: streamDelta(index, bytes) });
        if (intervalMs > 0 && index < events) await sleep(intervalMs, undefined, { signal });
      }
      this.#emit(runId, 'agent_completed', { result: { events }, durationMs: Date.now() - started });
    } catch {
      this.#emit(runId, 'agent_error', { code: 'cancelled', message: 'the run was cancelled', durationMs: Date.now() - started });
    }
  }
}
