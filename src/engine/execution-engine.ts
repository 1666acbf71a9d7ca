/**
 * ExecutionEngine: admits, schedules, runs and ends agent runs.
 *
 * Admission: at most `maxRunsPerUser` run at once per user and `maxConcurrentRuns` overall; a
 * run past those waits in a FIFO queue (with a progress_update saying so), and past
 * `maxQueuedPerUser` it is refused with TOO_MANY_RUNS. Every run ends with exactly one terminal
 * event, whatever ends it: completion, exception, timeout, cancel, a silent agent, shutdown.
 */
import { AgentErrorCode, DeathCause, ErrorCode } from '../protocol/codes.js';
import type { AgentEventDataMap, TerminalEventType } from '../protocol/events.js';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';
import { createUserExecutionContext } from '../context/user-execution-context.js';
import { newRunId, newThreadId } from '../context/ids.js';
import type { VerifiedIdentity } from '../context/verified-identity.js';
import type { AgentWebSocketBridge } from '../bridge/agent-websocket-bridge.js';
import { isEndedStatus, type EventStore, type RunRecord } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { AgentInstanceFactory } from './agent-instance-factory.js';
import { Run } from './run.js';
import { loadThreadHistory } from './thread-history.js';
import { localRunRegistry, type RunRegistry } from './run-registry.js';
import { AgentDeathError, AgentRunError } from './define-agent.js';
import { endRunSpan, type RunTracer } from '../tracing/run-tracer.js';

export interface EngineLimits {
  /** Runs executing at once per user (default 3). */
  maxRunsPerUser: number;
  /** Runs waiting per user beyond those (default 10); more are refused with TOO_MANY_RUNS. */
  maxQueuedPerUser: number;
  /** Runs executing at once on this node (default 200). */
  maxConcurrentRuns: number;
  /** A run still going after this long ends with agent_error "timeout" (default 300 s). */
  runTimeoutMs: number;
  /** A run silent (no event, no heartbeat) for this long ends with agent_death (default 60 s). */
  heartbeatTimeoutMs: number;
  /** How long the engine retries storing a terminal event before giving up (default 30 s). */
  terminalRetryMs: number;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxRunsPerUser: 3,
  maxQueuedPerUser: 10,
  maxConcurrentRuns: 200,
  runTimeoutMs: 300_000,
  heartbeatTimeoutMs: 60_000,
  terminalRetryMs: 30_000,
};

export interface SubmitRequest {
  text: string;
  threadId?: string | undefined;
  agent?: string | undefined;
  clientMessageId: string;
}

export type EngineRefusal = { ok: false; code: ErrorCode; message: string };
export type SubmitResult = { ok: true; runId: string; threadId: string; duplicate: boolean } | EngineRefusal;

export interface EngineOptions {
  store: EventStore;
  bridge: AgentWebSocketBridge;
  factory: AgentInstanceFactory;
  metrics: Metrics;
  logger: Logger;
  nodeId: string;
  defaultAgent: string;
  limits?: Partial<EngineLimits>;
  /** Where runs are leased so that another node can end them if this one dies (default: none, single node). */
  registry?: RunRegistry;
  /** Spans for runs, model and tool calls (default: none; tracing off costs nothing). */
  tracer?: RunTracer | undefined;
}


export class ExecutionEngine {
  readonly limits: EngineLimits;
  readonly #o: EngineOptions;
  readonly #runs = new Map<string, Run>();
  readonly #queue: Run[] = [];
  readonly #perUser = new Map<string, { active: number; queued: number; reserved: number }>();
  #active = 0;
  #accepting = true;
  readonly #monitor: NodeJS.Timeout;
  readonly #registry: RunRegistry;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#registry = options.registry ?? localRunRegistry;
    this.limits = { ...DEFAULT_ENGINE_LIMITS, ...options.limits };
    const every = Math.max(50, Math.min(1000, this.limits.heartbeatTimeoutMs / 4));
    this.#monitor = setInterval(() => {
      this.#checkHeartbeats();
    }, every).unref();
  }

  get activeRuns(): number {
    return this.#active;
  }

  /** Validates, records (idempotently on clientMessageId) and schedules one run. */
  async submit(identity: VerifiedIdentity, request: SubmitRequest): Promise<SubmitResult> {
    if (!this.#accepting) return refuse(ErrorCode.UNAVAILABLE, 'the server is shutting down; retry on another connection');
    if (!(await this.#o.store.healthy())) return refuse(ErrorCode.UNAVAILABLE, 'the event store is unreachable; retry shortly');
    const userId = identity.userId;
    const agentName = request.agent ?? this.#o.defaultAgent;
    if (!this.#o.factory.has(agentName)) return refuse(ErrorCode.UNKNOWN_AGENT, `no agent named "${agentName}"`);
    const earlier = await this.#o.store.runByClientMessage(userId, request.clientMessageId);
    if (earlier) return { ok: true, runId: earlier.runId, threadId: earlier.threadId, duplicate: true };
    const thread = await this.#resolveThread(userId, request.threadId);
    if (!thread.ok) return thread;
    const user = this.#user(userId);
    if (user.active + user.queued + user.reserved >= this.limits.maxRunsPerUser + this.limits.maxQueuedPerUser) {
      return refuse(ErrorCode.TOO_MANY_RUNS, `at most ${this.limits.maxRunsPerUser} runs at once and ${this.limits.maxQueuedPerUser} waiting`);
    }
    user.reserved += 1;
    try {
      return await this.#admit(identity, request, agentName, thread);
    } finally {
      user.reserved -= 1;
      if (user.active + user.queued + user.reserved === 0) this.#perUser.delete(userId);
    }
  }

  async #admit(identity: VerifiedIdentity, request: SubmitRequest, agentName: string, thread: { threadId: string; created: boolean }): Promise<SubmitResult> {
    const now = Date.now();
    const record: RunRecord = {
      runId: newRunId(),
      userId: identity.userId,
      threadId: thread.threadId,
      agentName,
      clientMessageId: request.clientMessageId,
      status: 'queued',
      createdAt: now,
      nodeId: this.#o.nodeId,
    };
    const claim = await this.#o.store.claimRun(record);
    if (!claim.created) return { ok: true, runId: claim.run.runId, threadId: claim.run.threadId, duplicate: true };
    this.#registry.register(record);
    if (thread.created) {
      await this.#o.store.createThread({ threadId: thread.threadId, userId: identity.userId, title: request.text.slice(0, 80), createdAt: now, updatedAt: now });
    }
    const context = createUserExecutionContext(identity, { threadId: record.threadId, runId: record.runId });
    const run = new Run(this.#o.bridge.createEmitter(context, agentName), agentName, request.text);
    this.#runs.set(run.runId, run);
    this.#user(run.userId).queued += 1;
    this.#queue.push(run);
    this.#o.metrics.runsQueued.inc();
    // Deferred so that run_accepted reaches the submitting connection before the run's events.
    setImmediate(() => {
      this.#schedule();
      if (run.phase === 'queued') this.#announceQueued(run);
    });
    return { ok: true, runId: run.runId, threadId: run.threadId, duplicate: false };
  }

  async #resolveThread(userId: string, threadId: string | undefined): Promise<EngineRefusal | { ok: true; threadId: string; created: boolean }> {
    if (threadId === undefined) return { ok: true, threadId: newThreadId(), created: true };
    const thread = await this.#o.store.getThread(threadId);
    if (!thread) return refuse(ErrorCode.NOT_FOUND, 'no such thread');
    if (thread.userId !== userId) return refuse(ErrorCode.FORBIDDEN, 'that thread belongs to another user');
    return { ok: true, threadId, created: false };
  }

  /** Cancels a queued or running run of this user. */
  async cancel(userId: string, runId: string): Promise<{ ok: true } | EngineRefusal> {
    const run = this.#runs.get(runId);
    if (run) {
      if (run.userId !== userId) return refuse(ErrorCode.FORBIDDEN, 'that run belongs to another user');
      await this.#end(run, 'agent_error', { code: AgentErrorCode.CANCELLED, message: 'cancelled by the user', durationMs: run.elapsedMs() });
      return { ok: true };
    }
    const record = await this.#o.store.getRun(runId);
    if (!record) return refuse(ErrorCode.NOT_FOUND, 'no such run');
    if (record.userId !== userId) return refuse(ErrorCode.FORBIDDEN, 'that run belongs to another user');
    // Executing on another node, which owns its cancellation: ask it to (multi-node back-ends).
    if (!isEndedStatus(record.status) && record.nodeId !== this.#o.nodeId && (await this.#registry.requestCancel?.(record))) return { ok: true };
    return refuse(ErrorCode.NOT_FOUND, 'that run is not running');
  }

  /**
   * Ends, with agent_death, the runs the store says were executing on this node when it last
   * stopped without finishing them (a crash, a SIGKILL).
   */
  async recoverUnfinished(): Promise<number> {
    const orphans = await this.#o.store.unfinishedRuns(this.#o.nodeId);
    for (const record of orphans) await this.endOrphan(record, 'the server stopped while this run was executing');
    return orphans.length;
  }

  /**
   * Ends, with agent_death (node_lost), a run whose executor is gone: cut off by a restart,
   * or leased by a node that stopped renewing. A run that already ended stays as it is.
   */
  async endOrphan(record: RunRecord, message = 'the node executing this run was lost'): Promise<void> {
    try {
      await this.#o.bridge.createRecoveryEmitter(record).terminate('agent_death', { cause: DeathCause.NODE_LOST, message });
    } catch (error) {
      if (error instanceof AgentwireError && error.code === InternalErrorCode.RUN_CLOSED) return;
      throw error;
    }
    this.#o.metrics.runsFinished.inc({ terminal: 'agent_death' });
    this.#o.logger.warn('ended a run whose node is gone', { runId: record.runId, nodeId: record.nodeId });
  }

  /** Stops admitting, gives running runs `graceMs` to finish, then ends the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#monitor);
    for (const run of [...this.#queue]) void this.#end(run, 'agent_error', shutdownData(run));
    const running = [...this.#runs.values()];
    await Promise.race([Promise.all(running.map((run) => run.ended)), delay(graceMs)]);
    await Promise.all([...this.#runs.values()].map((run) => this.#end(run, 'agent_error', shutdownData(run))));
  }

  #schedule(): void {
    for (let i = 0; i < this.#queue.length && this.#active < this.limits.maxConcurrentRuns; ) {
      const run = this.#queue[i] as Run;
      const user = this.#user(run.userId);
      if (user.active >= this.limits.maxRunsPerUser) {
        i += 1;
        continue;
      }
      this.#queue.splice(i, 1);
      user.queued -= 1;
      user.active += 1;
      this.#active += 1;
      this.#o.metrics.runsQueued.dec();
      this.#o.metrics.runsActive.inc();
      run.phase = 'running';
      void this.#execute(run);
    }
  }

  #announceQueued(run: Run): void {
    const position = this.#queue.indexOf(run) + 1;
    const message = this.#user(run.userId).active >= this.limits.maxRunsPerUser
      ? `Waiting: ${this.limits.maxRunsPerUser} of your runs are already in progress (position ${position} in line)`
      : `Waiting for a free slot on the server (position ${position} in line)`;
    run.emitter.emit('progress_update', { message, progress: 0 }).catch((error: unknown) => {
      this.#o.logger.warn('could not announce a queued run', { runId: run.runId, error });
    });
  }

  async #execute(run: Run): Promise<void> {
    run.startedAt = Date.now();
    run.heartbeatAt = run.startedAt;
    run.timeoutTimer = setTimeout(() => {
      void this.#end(run, 'agent_error', { code: AgentErrorCode.TIMEOUT, message: `the run exceeded its ${this.limits.runTimeoutMs} ms limit`, durationMs: run.elapsedMs() });
    }, this.limits.runTimeoutMs).unref();
    this.#o.store.setRunStatus(run.runId, 'running').catch((error: unknown) => {
      this.#o.logger.warn('could not mark a run as running', { runId: run.runId, error });
    });
    try {
      // The whole message: it is what the thread shows after a reload, and what history() replays.
      await run.emitter.emit('agent_started', { input: run.text });
      run.span = this.#o.tracer?.startRun(run);
      const instance = this.#o.factory.create(run.agentName, run.emitter, run.controller.signal, () => {
        run.heartbeatAt = Date.now();
      }, run.span);
      const result = await instance.run({
        text: run.text,
        threadId: run.threadId,
        runId: run.runId,
        history: () => loadThreadHistory(this.#o.store, run.userId, run.threadId, run.runId),
        deadline: run.startedAt + this.limits.runTimeoutMs,
      });
      // Completed only if every event the agent emitted is stored.
      await run.emitter.settled();
      await this.#end(run, 'agent_completed', { result: result ?? null, durationMs: run.elapsedMs() });
    } catch (error) {
      // After a timeout or cancel the agent's own failure (an AbortError, a closed emitter) is
      // the expected way for it to stop, not a second outcome.
      if (run.phase !== 'ended' && error instanceof AgentDeathError) {
        // The agent's executor is gone (a remote worker cut off): death, not a reported failure.
        this.#o.logger.warn('agent run died', { runId: run.runId, agent: run.agentName, cause: error.deathCause, message: error.message });
        await this.#end(run, 'agent_death', { cause: error.deathCause, message: error.message });
      } else if (run.phase !== 'ended') {
        this.#o.logger.warn('agent run failed', { runId: run.runId, agent: run.agentName, error });
        const code = error instanceof AgentRunError ? error.code : isStoreFailure(error) ? AgentErrorCode.STORE_UNAVAILABLE : AgentErrorCode.AGENT_EXCEPTION;
        await this.#end(run, 'agent_error', { code, message: errorMessage(error), durationMs: run.elapsedMs() });
      }
    }
  }

  /** The one way a run ends. Idempotent: the first call decides the terminal event. */
  #end<T extends TerminalEventType>(run: Run, type: T, data: AgentEventDataMap[T]): Promise<void> {
    if (run.finished) return run.finished;
    const wasRunning = run.phase === 'running';
    run.phase = 'ended';
    clearTimeout(run.timeoutTimer);
    run.controller.abort(new AgentwireError(InternalErrorCode.RUN_CLOSED, `run ended: ${type}`));
    this.#release(run, wasRunning);
    if (run.span) endRunSpan(run.span, type, data);
    run.finished = this.#storeTerminal(run, type, data).then(
      (stored) => {
        if (stored) this.#registry.release(run.runId);
        else this.#registry.abandon(run.runId);
        this.#runs.delete(run.runId);
        run.markEnded();
      },
    );
    this.#o.metrics.runsFinished.inc({ terminal: type });
    this.#schedule();
    return run.finished;
  }

  #release(run: Run, wasRunning: boolean): void {
    const user = this.#user(run.userId);
    if (wasRunning) {
      user.active -= 1;
      this.#active -= 1;
      this.#o.metrics.runsActive.dec();
    } else {
      const index = this.#queue.indexOf(run);
      if (index >= 0) this.#queue.splice(index, 1);
      user.queued -= 1;
      this.#o.metrics.runsQueued.dec();
    }
    if (user.active + user.queued + user.reserved === 0) this.#perUser.delete(run.userId);
  }

  /**
   * Stores the terminal event, retrying while the store is unavailable, for a bounded time.
   * Resolves true once the store holds a terminal event for the run (this one or another
   * node's), false when it gave up.
   */
  async #storeTerminal<T extends TerminalEventType>(run: Run, type: T, data: AgentEventDataMap[T]): Promise<boolean> {
    const deadline = Date.now() + this.limits.terminalRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await run.emitter.terminate(type, data);
        return true;
      } catch (error) {
        if (error instanceof AgentwireError && error.code === InternalErrorCode.RUN_CLOSED) {
          // The store already holds a terminal event for this run (another node ended it).
          this.#o.logger.warn('run was already ended elsewhere', { runId: run.runId });
          return true;
        }
        if (Date.now() >= deadline) {
          this.#o.metrics.backgroundErrors.inc({ loop: 'terminal_event' });
          this.#o.logger.error('gave up storing a terminal event; a restart (or, with Redis, an expired lease) ends the run with agent_death', { runId: run.runId, error });
          return false;
        }
        await delay(Math.min(2000, 50 * 2 ** attempt));
      }
    }
  }

  #checkHeartbeats(): void {
    const now = Date.now();
    for (const run of this.#runs.values()) {
      if (run.phase === 'running' && now - run.lastBeat() > this.limits.heartbeatTimeoutMs) {
        void this.#end(run, 'agent_death', {
          cause: DeathCause.NO_HEARTBEAT,
          message: `the agent sent nothing for ${Math.round((now - run.lastBeat()) / 1000)} s`,
        });
      }
    }
  }

  #user(userId: string): { active: number; queued: number; reserved: number } {
    let user = this.#perUser.get(userId);
    if (!user) {
      user = { active: 0, queued: 0, reserved: 0 };
      this.#perUser.set(userId, user);
    }
    return user;
  }
}

function refuse(code: ErrorCode, message: string): EngineRefusal {
  return { ok: false, code, message };
}

function shutdownData(run: Run): AgentEventDataMap['agent_error'] {
  return { code: AgentErrorCode.SHUTDOWN, message: 'the server shut down before the run finished', durationMs: run.elapsedMs() };
}

/** The agent failed because the store did (an emit that could not be stored), possibly wrapped by the agent. */
function isStoreFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof AgentwireError && e.code === InternalErrorCode.STORE) return true;
  }
  return false;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
