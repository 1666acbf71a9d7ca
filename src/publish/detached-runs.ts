/**
 * Detached runs: a run whose events a producer appends over HTTP (a queue worker, a cron job)
 * instead of an agent computing them in this process. Each is an ordinary engine run of a
 * "detached" agent whose run() consumes the batches appended to it, through the same `follow`
 * as a remote agent's response: the same emitter, seq, isolation, single terminal event, and
 * the engine's heartbeat timeout (a producer must append, at least a `heartbeat`, that often).
 */
import { AgentRunError, defineAgent, type AgentDefinition } from '../engine/define-agent.js';
import { AgentErrorCode } from '../protocol/codes.js';
import { follow } from '../remote/define-remote-agent.js';
import type { WorkerAction } from '../remote/worker-action.js';

export type Delivery = 'accepted' | 'ended';

interface Batch {
  actions: readonly WorkerAction[];
  settle: (outcome: Delivery) => void;
}

/** One run's inbox: batches in, actions out, each batch settled once the run has taken all of it. */
class Inbox {
  readonly #batches: Batch[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  push(actions: readonly WorkerAction[]): Promise<Delivery> {
    if (this.#closed) return Promise.resolve('ended');
    return new Promise((settle) => {
      this.#batches.push({ actions, settle });
      this.#wake?.();
    });
  }

  /** The run ended without taking its batches (cancelled or timed out while queued). */
  close(): void {
    this.#closed = true;
    for (const batch of this.#batches.splice(0)) batch.settle('ended');
  }

  async *actions(signal: AbortSignal): AsyncGenerator<WorkerAction> {
    const onAbort = (): void => this.#wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    let current: Batch | undefined;
    try {
      while (!signal.aborted) {
        current = this.#batches.shift();
        if (!current) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        // follow() awaits each emit before asking for the next action, so when the loop comes
        // back here every event of the batch is stored.
        yield* current.actions;
        current.settle('accepted');
        current = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#closed = true;
      // A batch whose terminal event ended the run was taken whole; the rest came too late.
      current?.settle('accepted');
      for (const batch of this.#batches.splice(0)) batch.settle('ended');
    }
  }
}

export class DetachedRuns {
  readonly #inboxes = new Map<string, Inbox>();

  /** The agent definition under `name`; its runs take events only from the publish API. */
  agent(name: string): AgentDefinition {
    return defineAgent({
      name,
      description: 'Events appended by a detached producer through the publish API',
      tools: [],
      run: async (_input, ctx) => {
        const inbox = this.#inboxes.get(ctx.runId);
        if (!inbox) throw new AgentRunError(AgentErrorCode.NOT_DETACHED, `agent "${name}" takes its events from the publish API; start its runs with POST /api/runs`);
        try {
          return await follow(inbox.actions(ctx.signal), ctx);
        } finally {
          this.#inboxes.delete(ctx.runId);
        }
      },
    });
  }

  /**
   * Opens a run's inbox. Called as soon as engine.submit answers: the engine starts runs from a
   * setImmediate, after the submitter's continuation, so the inbox is there before run() looks.
   */
  open(runId: string): void {
    if (!this.#inboxes.has(runId)) this.#inboxes.set(runId, new Inbox());
  }

  /** Drops a run's inbox once the run has ended without running (its pending batches get 'ended'). */
  discard(runId: string): void {
    this.#inboxes.get(runId)?.close();
    this.#inboxes.delete(runId);
  }

  /** Hands a batch to the run; 'ended' when the run is not (or no longer) running here. */
  deliver(runId: string, actions: readonly WorkerAction[]): Promise<Delivery> {
    return this.#inboxes.get(runId)?.push(actions) ?? Promise.resolve('ended');
  }
}
