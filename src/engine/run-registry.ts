/**
 * RunRegistry: where a node says "I am executing this run" in a way other nodes can check.
 * With several nodes, a node that dies (SIGKILL, OOM, lost machine) cannot end its own runs;
 * the registry keeps a lease per run that the executing node renews, and a survivor ends
 * each run whose lease expired with agent_death (cause node_lost).
 *
 * The engine calls it without awaiting: registering and releasing are bookkeeping beside the
 * event path, never on it.
 */
import type { RunRecord } from '../store/event-store.js';

export interface RunRegistry {
  /** The run executes (or waits to) on this node from now on: keep its lease alive. */
  register(run: RunRecord): void;
  /** The run's terminal event is stored: drop its lease. */
  release(runId: string): void;
  /**
   * The run's terminal event could not be stored here: stop renewing its lease, so that once
   * it expires another node ends the run.
   */
  abandon(runId: string): void;
  /**
   * Asks the node executing `run` to cancel it (a user's cancel can arrive on any node).
   * Resolves true once the request is on its way; the run's agent_error (cancelled) follows.
   */
  requestCancel?(run: RunRecord): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Single node: nothing to register. A restart on the same store ends the runs it cut off
 * (ExecutionEngine.recoverUnfinished).
 */
export const localRunRegistry: RunRegistry = {
  register: () => undefined,
  release: () => undefined,
  abandon: () => undefined,
  close: () => Promise.resolve(),
};
