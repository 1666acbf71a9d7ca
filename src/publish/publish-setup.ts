/**
 * The publish API's part of a server: its detached agents (for the factory), its routes (for
 * the HTTP layer, once the engine exists) and its ledger (closed with the server).
 */
import type { AgentDefinition } from '../engine/define-agent.js';
import type { ExecutionEngine } from '../engine/execution-engine.js';
import type { EventStore } from '../store/event-store.js';
import type { Metrics } from '../metrics/metrics.js';
import type { HttpRoute } from '../server/http-api.js';
import type { Logger } from '../observability/logger.js';
import { PublishCredentials } from './credentials.js';
import { DetachedRuns } from './detached-runs.js';
import { openProducerLedger, type ProducerLedger } from './producer-ledger.js';
import { DEFAULT_PUBLISH_LIMITS, publishRoutes, type PublishLimits } from './publish-routes.js';

export interface PublishOptions {
  /** The service credential's secret (AGENTWIRE_SERVICE_SECRET), at least 32 bytes. */
  serviceSecret: string;
  /** Agent names whose runs take their events from producers (default ["detached"]). */
  detachedAgents?: readonly string[];
  limits?: Partial<PublishLimits>;
  /** Where producer positions are kept (default: SQLite beside a sqlite: store, memory otherwise). */
  ledger?: ProducerLedger;
}

export interface PublishSetup {
  readonly agents: readonly AgentDefinition[];
  routes(parts: { engine: ExecutionEngine; store: EventStore; metrics: Metrics; logger: Logger; runTimeoutMs: number }): HttpRoute[];
  close(): Promise<void>;
}

export function setUpPublish(options: PublishOptions, storeSetting: string): PublishSetup {
  const credentials = new PublishCredentials(options.serviceSecret);
  const detached = new DetachedRuns();
  const names = options.detachedAgents ?? ['detached'];
  const ledger = options.ledger ?? openProducerLedger(storeSetting);
  return {
    agents: names.map((name) => detached.agent(name)),
    routes: (parts) =>
      publishRoutes({
        ...parts,
        credentials,
        detached,
        detachedAgents: names,
        ledger,
        limits: { ...DEFAULT_PUBLISH_LIMITS, ...options.limits },
        runTokenTtlSec: Math.ceil(parts.runTimeoutMs / 1000) + 60,
      }),
    close: () => ledger.close(),
  };
}
