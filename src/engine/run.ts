/**
 * The engine's record of one run: its place in the scheduler, its abort controller and the
 * promise of its terminal event.
 */
import type { UserWebSocketEmitter } from '../bridge/agent-websocket-bridge.js';
import type { TraceSpan } from '../tracing/span.js';

export type RunPhase = 'queued' | 'running' | 'ended';

export class Run {
  phase: RunPhase = 'queued';
  readonly controller = new AbortController();
  readonly acceptedAt = Date.now();
  startedAt: number | undefined;
  heartbeatAt = Date.now();
  timeoutTimer: NodeJS.Timeout | undefined;
  /** The run's span while tracing is on; undefined (and never made) when it is off. */
  span: TraceSpan | undefined;
  /** Set by the first end(): resolves once the terminal event is stored (or given up on). */
  finished: Promise<void> | undefined;
  /** Resolves when the run has ended, however it ended. */
  readonly ended: Promise<void>;
  markEnded!: () => void;

  constructor(
    readonly emitter: UserWebSocketEmitter,
    readonly agentName: string,
    readonly text: string,
  ) {
    this.ended = new Promise((resolve) => {
      this.markEnded = resolve;
    });
  }

  get userId(): string {
    return this.emitter.context.userId;
  }
  get runId(): string {
    return this.emitter.context.runId;
  }
  get threadId(): string {
    return this.emitter.context.threadId;
  }

  /** Last sign of life: an emitted event or an explicit heartbeat. */
  lastBeat(): number {
    return Math.max(this.heartbeatAt, this.emitter.lastEmitAt);
  }

  elapsedMs(now = Date.now()): number {
    return now - (this.startedAt ?? this.acceptedAt);
  }
}
