/**
 * Run leases in Redis. Each run executing on a node has an entry in one sorted set scored by
 * its lease expiry, computed from Redis's own clock (nodes' clocks never need to agree). The
 * node renews all its leases every leaseMs/3 in one script call. Every node sweeps as often:
 * it claims expired leases (pushing them leaseMs ahead, so other sweepers skip them) and ends
 * each claimed run with agent_death (node_lost). Two nodes ending the same run is harmless:
 * the store refuses any event after a terminal one, so exactly one agent_death is stored.
 *
 * Bound: a node that dies stops renewing; its leases expire at most leaseMs after its last
 * renewal, and the next sweep (at most leaseMs/3 later) ends the runs: agent_death within
 * leaseMs × 4/3 of the death, plus one append (default 15 s lease: ≤ 20 s).
 */
import type { RedisLink } from './redis-link.js';
import type { RunRecord } from '../store/event-store.js';
import type { RunRegistry } from '../engine/run-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Logger } from '../observability/logger.js';
import { errorMessage } from '../errors/agentwire-error.js';
import { CLAIM_EXPIRED, RENEW_LEASES } from './lua-scripts.js';
import type { RedisKeys } from './redis-keys.js';

export interface RedisRunRegistryOptions {
  link: RedisLink;
  keys: RedisKeys;
  /** Lease length (default 15 s). */
  leaseMs?: number;
  metrics: Metrics;
  logger: Logger;
  /**
   * Finds a run by id in the store: how a run whose lease record cannot be read is still ended
   * (the lease's key is its run id). Without it, such a run is only logged and counted.
   */
  lookupRun?: (runId: string) => Promise<RunRecord | undefined>;
}

/** Ends a run whose node is gone. Resolves once its terminal event is stored (or was already). */
export type OrphanHandler = (run: RunRecord) => Promise<void>;

/** A request on the control channel, for the node executing a run. */
export interface ControlRequest {
  op: 'cancel';
  nodeId: string;
  runId: string;
  userId: string;
}

/** The request, or why it cannot be one (the caller logs and counts it: nothing vanishes). */
export function parseControlRequest(message: string): ControlRequest | { malformed: string } {
  let request: Partial<ControlRequest> | null;
  try {
    request = JSON.parse(message) as Partial<ControlRequest> | null;
  } catch (error) {
    return { malformed: `not JSON: ${errorMessage(error)}` };
  }
  if (typeof request !== 'object' || request === null) return { malformed: 'not an object' };
  if (request.op !== 'cancel') return { malformed: 'op is not "cancel"' };
  if (typeof request.nodeId !== 'string' || typeof request.runId !== 'string' || typeof request.userId !== 'string') {
    return { malformed: 'nodeId, runId and userId must be strings' };
  }
  return { op: 'cancel', nodeId: request.nodeId, runId: request.runId, userId: request.userId };
}

export const DEFAULT_LEASE_MS = 15_000;
const SWEEP_BATCH = 100;

export class RedisRunRegistry implements RunRegistry {
  readonly leaseMs: number;
  readonly #o: RedisRunRegistryOptions;
  readonly #local = new Map<string, string>();
  readonly #timers: NodeJS.Timeout[] = [];
  #sweeping = false;
  #closed = false;
  #sweepNotBefore = 0;
  /** Bumped on every (re)connect: a sweep whose claim straddles one acts on nothing. */
  #generation = 0;

  constructor(options: RedisRunRegistryOptions) {
    this.#o = options;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#timers.push(
      setInterval(() => {
        this.#renew([...this.#local]);
      }, this.leaseMs / 3).unref(),
    );
    // Back from a Redis outage: every node's leases may have lapsed meanwhile (Redis's clock
    // ran on). Renew ours at once, and give the other nodes a full lease to renew theirs
    // before ending anything as orphaned.
    options.link.redis.on('ready', () => {
      this.#generation += 1;
      this.#renew([...this.#local]);
      this.#sweepNotBefore = Date.now() + this.leaseMs;
    });
  }

  /** Starts ending the runs of dead nodes. */
  startSweeping(onOrphan: OrphanHandler): void {
    this.#timers.push(
      setInterval(() => {
        void this.sweep(onOrphan);
      }, this.leaseMs / 3).unref(),
    );
  }

  register(run: RunRecord): void {
    const record = JSON.stringify(run);
    this.#local.set(run.runId, record);
    this.#renew([[run.runId, record]]);
  }

  release(runId: string): void {
    this.#local.delete(runId);
    this.#forget([runId]);
  }

  abandon(runId: string): void {
    this.#local.delete(runId);
  }

  /** Publishes a cancel request; the node named in the run record acts on it (redis-backend.ts). */
  async requestCancel(run: RunRecord): Promise<boolean> {
    const request: ControlRequest = { op: 'cancel', nodeId: run.nodeId, runId: run.runId, userId: run.userId };
    const { link, keys } = this.#o;
    return (await link.call(() => link.redis.publish(keys.control, JSON.stringify(request)))) > 0;
  }

  /** One sweep: claims expired leases and ends their runs. Returns how many runs it ended. */
  async sweep(onOrphan: OrphanHandler): Promise<number> {
    if (this.#sweeping || this.#closed || Date.now() < this.#sweepNotBefore || this.#o.link.redis.status !== 'ready') return 0;
    this.#sweeping = true;
    let ended = 0;
    try {
      const { link, keys } = this.#o;
      const generation = this.#generation;
      const claimed = (await CLAIM_EXPIRED.run(link, [keys.leases, keys.leaseRecords], [SWEEP_BATCH, this.leaseMs])) as string[];
      // Claimed across a reconnect: the owners have not had their chance to renew. The claim
      // only pushed those leases ahead; live owners renew them, dead ones lapse again.
      if (generation !== this.#generation || Date.now() < this.#sweepNotBefore) return 0;
      for (let i = 0; i + 1 < claimed.length; i += 2) {
        if (await this.#endClaimed(claimed[i] as string, claimed[i + 1] as string, onOrphan)) ended += 1;
      }
    } catch (error) {
      this.#o.metrics.backgroundErrors.inc({ loop: 'lease_sweep' });
      this.#o.logger.error('sweeping expired run leases failed; retrying at the next sweep', { error: errorMessage(error) });
    } finally {
      this.#sweeping = false;
    }
    return ended;
  }

  /** Ends one claimed run; true when it was ended here. A failure keeps the claim for a later sweep. */
  async #endClaimed(runId: string, json: string, onOrphan: OrphanHandler): Promise<boolean> {
    try {
      const record = parseRecord(json) ?? (await this.#recover(runId, json));
      if (record) await onOrphan(record);
      this.#forget([runId]);
      return record !== undefined;
    } catch (error) {
      // The claim stays: it expires after leaseMs and a later sweep (here or elsewhere) tries again.
      this.#o.metrics.backgroundErrors.inc({ loop: 'lease_sweep' });
      this.#o.logger.error('could not end a run whose node is gone; retrying later', { runId, error: errorMessage(error) });
      return false;
    }
  }

  /**
   * A lease record that cannot be read is set aside (logged, counted), but its run must still
   * get its agent_death: the lease's key is the run id, and the store has the run's record.
   */
  async #recover(runId: string, json: string): Promise<RunRecord | undefined> {
    const { metrics, logger, lookupRun } = this.#o;
    metrics.dropped.inc({ reason: 'corrupt_lease_record' });
    const record = await lookupRun?.(runId);
    const fields = { runId, record: json.slice(0, 200) };
    if (record) logger.error('a run lease record could not be read; ending its run from the store record', fields);
    else logger.error('a run lease record could not be read and its run is not in the store; the run cannot be ended', fields);
    return record;
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    return Promise.resolve();
  }

  #renew(entries: [string, string][]): void {
    if (entries.length === 0 || this.#closed) return;
    const { link, keys } = this.#o;
    RENEW_LEASES.run(link, [keys.leases, keys.leaseRecords], [this.leaseMs, ...entries.flat()]).catch((error: unknown) => {
      this.#o.metrics.backgroundErrors.inc({ loop: 'lease_renew' });
      this.#o.logger.warn('could not renew run leases', { runs: entries.length, error: errorMessage(error) });
    });
  }

  #forget(runIds: string[]): void {
    const { link, keys } = this.#o;
    link
      .call(() => link.redis.multi().zrem(keys.leases, ...runIds).hdel(keys.leaseRecords, ...runIds).exec())
      .catch((error: unknown) => {
        this.#o.logger.warn('could not drop run leases; they expire and are swept', { error: errorMessage(error) });
      });
  }
}

/** The lease's run record, or undefined when it is not one (the caller reports that). */
function parseRecord(json: string): RunRecord | undefined {
  let record: Partial<RunRecord> | null;
  try {
    record = JSON.parse(json) as Partial<RunRecord> | null;
  } catch {
    return undefined;
  }
  const complete = typeof record === 'object' && record !== null && typeof record.runId === 'string' && typeof record.userId === 'string';
  return complete ? (record as RunRecord) : undefined;
}
