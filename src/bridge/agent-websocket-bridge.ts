/**
 * AgentWebSocketBridge: the single publish path. Every agent event goes emitter → bridge →
 * store (which gives it its seq) → fan-out → WebSocketNotifier. The bridge is also the only
 * factory of UserWebSocketEmitter, whose class is private to this module.
 */
import { AgentwireError, InternalErrorCode, IsolationViolationError, RunClosedError } from '../errors/agentwire-error.js';
import { isTerminalType, type AgentEventDataMap, type AgentEventType, type TerminalEventType } from '../protocol/events.js';
import { eventDataSchemas } from '../protocol/schema.js';
import { restoreUserExecutionContext, type UserExecutionContext } from '../context/user-execution-context.js';
import type { EventDraft, EventStore, RunRecord, StoredEvent } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import { nextEventId } from './event-ids.js';

/** Where stored events go to reach sockets: this node's notifier, or every node's (Redis). */
export interface Fanout {
  publish(event: StoredEvent): void;
}

export interface BridgeOptions {
  store: EventStore;
  fanout: Fanout;
  metrics: Metrics;
  /** Largest event payload accepted, in bytes (default 256 KiB). */
  maxEventBytes?: number;
}

export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

export class AgentWebSocketBridge {
  readonly #store: EventStore;
  readonly #fanout: Fanout;
  readonly #metrics: Metrics;
  readonly #port: EmitterPort;

  constructor(options: BridgeOptions) {
    this.#store = options.store;
    this.#fanout = options.fanout;
    this.#metrics = options.metrics;
    this.#port = {
      publish: (draft) => this.#publish(draft),
      countIsolationViolation: () => {
        this.#metrics.isolationViolations.inc();
      },
      countInvalidEvent: () => {
        this.#metrics.invalidEvents.inc();
      },
      maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    };
  }

  /** The factory: one emitter per run, bound to that run's context. */
  createEmitter(context: UserExecutionContext, agentName: string): UserWebSocketEmitter {
    return new UserWebSocketEmitterImpl(CONSTRUCT, this.#port, context, agentName);
  }

  /** An emitter for a run whose executor is gone, so that its terminal event can be sent. */
  createRecoveryEmitter(run: RunRecord): UserWebSocketEmitter {
    return this.createEmitter(restoreUserExecutionContext(run), run.agentName);
  }

  async #publish(draft: EventDraft): Promise<StoredEvent> {
    // The append is issued synchronously, so appends (and seqs) follow emit call order.
    const event = await this.#store.append(draft);
    this.#metrics.eventsPublished.inc({ type: event.type });
    this.#fanout.publish(event);
    return event;
  }
}

/** Routing fields an event may name; when present they must equal the emitter's own. */
export interface EventRouting {
  userId?: string;
  threadId?: string;
  runId?: string;
}

/** What the emitter needs from the bridge: the publish path and the counters. */
interface EmitterPort {
  publish(draft: EventDraft): Promise<StoredEvent>;
  countIsolationViolation(): void;
  countInvalidEvent(): void;
  readonly maxEventBytes: number;
}

const CONSTRUCT = Symbol('UserWebSocketEmitter.construct');

class UserWebSocketEmitterImpl {
  readonly context: UserExecutionContext;
  readonly agentName: string;
  readonly #port: EmitterPort;
  #closed = false;
  #inFlight = 0;
  #failure: Error | undefined;
  #roomWaiters: (() => void)[] = [];
  #settleWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #terminal: 'none' | 'sending' | 'stored' = 'none';
  #lastEmitAt = Date.now();
  /** The turn of the event loop this run last emitted in, and how many times it did there. */
  #turn = -1;
  #emitsThisTurn = 0;

  constructor(token: symbol, port: EmitterPort, context: UserExecutionContext, agentName: string) {
    if (token !== CONSTRUCT) {
      throw new AgentwireError(InternalErrorCode.FACTORY_ONLY, 'UserWebSocketEmitter is made only by AgentWebSocketBridge.createEmitter()');
    }
    this.#port = port;
    this.context = context;
    this.agentName = agentName;
  }

  /** true once the run's terminal event was emitted; every later emit throws RunClosedError. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Epoch ms of the last accepted event (the run's heartbeat). */
  get lastEmitAt(): number {
    return this.#lastEmitAt;
  }

  /**
   * Sends one non-terminal event for this run. Throws synchronously (as a rejected promise) on
   * an isolation violation, an invalid payload or a closed run; nothing is sent then.
   */
  emit<T extends Exclude<AgentEventType, TerminalEventType>>(type: T, data: AgentEventDataMap[T], routing?: EventRouting): Promise<void> {
    // The type forbids it; JavaScript callers and casts do not.
    const name: string = type;
    if (isTerminalType(name)) {
      return Promise.reject(new AgentwireError(InternalErrorCode.INVALID_EVENT, `${name} is emitted by the engine when the run ends`));
    }
    if (this.#failure) return Promise.reject(this.#failure);
    let published: Promise<StoredEvent>;
    try {
      published = this.#send(type, data, routing);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Accepted: the append is issued, in order. The agent does not wait for the store's round
    // trip (a disk commit, a Redis reply); a failed append fails the next emit and settled().
    this.#inFlight += 1;
    published.then(this.#onStored, this.#onFailed);
    if (this.#inFlight > MAX_IN_FLIGHT) return new Promise((resolve) => this.#roomWaiters.push(resolve));
    return this.#tightLoop() ? afterATurn(undefined) : Promise.resolve();
  }

  #tightLoop(): boolean {
    const now = currentTurn();
    if (now !== this.#turn) {
      this.#turn = now;
      this.#emitsThisTurn = 0;
    }
    this.#emitsThisTurn += 1;
    return this.#emitsThisTurn > EMITS_PER_TURN;
  }

  /** Resolves once every accepted event is stored; rejects with the first append that failed. */
  settled(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#settleWaiters.push({ resolve, reject }));
  }

  readonly #onStored = (): void => {
    this.#inFlight -= 1;
    this.#wake();
  };

  readonly #onFailed = (error: unknown): void => {
    this.#inFlight -= 1;
    this.#failure ??= error instanceof Error ? error : new Error(String(error));
    this.#wake();
  };

  #wake(): void {
    if (this.#inFlight <= MAX_IN_FLIGHT / 2 && this.#roomWaiters.length > 0) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const resume of waiters) resume();
    }
    if (this.#inFlight === 0 || this.#failure) {
      const waiters = this.#settleWaiters;
      this.#settleWaiters = [];
      for (const waiter of waiters) {
        if (this.#failure) waiter.reject(this.#failure);
        else waiter.resolve();
      }
    }
  }

  /**
   * Sends the run's terminal event and closes the emitter. Engine-only: exactly one terminal
   * event per run is guaranteed by the engine calling this once and by the emitter refusing
   * everything after it. If the store refused the append, the engine may call it again.
   */
  terminate<T extends TerminalEventType>(type: T, data: AgentEventDataMap[T]): Promise<StoredEvent> {
    if (this.#terminal !== 'none') return Promise.reject(new RunClosedError(this.context.runId));
    this.#closed = true;
    this.#terminal = 'sending';
    let sent: Promise<StoredEvent>;
    try {
      sent = this.#send(type, data, undefined);
    } catch (error) {
      this.#terminal = 'none';
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return sent.then(
      (event) => {
        this.#terminal = 'stored';
        return event;
      },
      (error: unknown) => {
        this.#terminal = 'none';
        throw error;
      },
    );
  }

  /** Validates (throwing synchronously) and issues the append. */
  #send(type: AgentEventType, data: unknown, routing: EventRouting | undefined): Promise<StoredEvent> {
    if (this.#closed && !isTerminalType(type)) throw new RunClosedError(this.context.runId);
    if (routing) this.#checkRouting(routing);
    this.#validate(type, data);
    const ctx = this.context;
    this.#lastEmitAt = Date.now();
    return this.#port.publish({
      type,
      eventId: nextEventId(),
      runId: ctx.runId,
      threadId: ctx.threadId,
      userId: ctx.userId,
      agentName: this.agentName,
      ts: this.#lastEmitAt,
      data,
    } as EventDraft);
  }

  #checkRouting(routing: EventRouting): void {
    const ctx = this.context;
    for (const key of ['userId', 'threadId', 'runId'] as const) {
      const named = routing[key];
      if (named !== undefined && named !== ctx[key]) {
        this.#port.countIsolationViolation();
        throw new IsolationViolationError(`emitter for run ${ctx.runId} refused an event naming ${key} "${named.slice(0, 64)}"`);
      }
    }
  }

  #validate(type: AgentEventType, data: unknown): void {
    const parsed = eventDataSchemas[type].safeParse(data);
    if (!parsed.success) {
      this.#port.countInvalidEvent();
      const issue = parsed.error.issues[0];
      throw new AgentwireError(InternalErrorCode.INVALID_EVENT, `${type}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid payload'}`);
    }
    const size = approximateSize(type, data);
    if (size > this.#port.maxEventBytes) {
      this.#port.countInvalidEvent();
      throw new AgentwireError(InternalErrorCode.INVALID_EVENT, `${type}: payload of ${size} bytes exceeds the ${this.#port.maxEventBytes}-byte event limit`);
    }
  }
}

/** Cheap for the high-rate text events, exact (one stringify) for the rare structured ones. */
function approximateSize(type: AgentEventType, data: unknown): number {
  if (type === 'agent_message_delta') return (data as AgentEventDataMap['agent_message_delta']).delta.length * 3;
  return JSON.stringify(data).length;
}


/**
 * Fairness between runs. With an in-process store an emit resolves in a microtask, so an agent
 * that emits in a loop without other I/O would never let the event loop serve sockets or other
 * runs. Past EMITS_PER_TURN emits of one run in one turn of the event loop, its emits resolve
 * only after a macrotask. Counted per run: many runs that each emit once per turn are not a
 * tight loop (counted together, 2,000 agents streaming at 10k events/s were slowed by a turn
 * each, and emitted a tenth less than they asked to).
 */
const EMITS_PER_TURN = 256;
/** Appends one emitter may have outstanding before emit() waits for the store (backpressure). */
const MAX_IN_FLIGHT = 1024;
/** Turns of the event loop in which something was emitted, counted by a setImmediate per turn. */
let turn = 0;
let turnEndScheduled = false;
const endTurn = (): void => {
  turn += 1;
  turnEndScheduled = false;
};

function currentTurn(): number {
  if (!turnEndScheduled) {
    turnEndScheduled = true;
    setImmediate(endTurn);
  }
  return turn;
}

function afterATurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(() => resolve(value)));
}

/** The type is public; the class is not, so `new` is impossible from outside this module. */
export type UserWebSocketEmitter = UserWebSocketEmitterImpl;
