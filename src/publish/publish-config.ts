/**
 * The publish API from the environment: on when AGENTWIRE_SERVICE_SECRET is set. A malformed
 * value stops start-up with the variable's name in the message.
 */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import type { PublishLimits } from './publish-routes.js';
import type { PublishOptions } from './publish-setup.js';

type Env = Record<string, string | undefined>;

const LIMIT_VARS: [string, keyof PublishLimits][] = [
  ['AGENTWIRE_PUBLISH_BATCH_EVENTS', 'maxBatchEvents'],
  ['AGENTWIRE_PUBLISH_BATCH_BYTES', 'maxBatchBytes'],
  ['AGENTWIRE_PUBLISH_BATCHES_PER_SECOND', 'batchesPerSecond'],
];

export function loadPublishConfig(env: Env): PublishOptions | undefined {
  const serviceSecret = env.AGENTWIRE_SERVICE_SECRET?.trim();
  if (!serviceSecret) return undefined;
  const limits: Partial<PublishLimits> = {};
  for (const [name, key] of LIMIT_VARS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new AgentwireError(InternalErrorCode.CONFIG, `${name} must be a positive integer, got "${raw}"`);
    limits[key] = value;
  }
  const names = env.AGENTWIRE_DETACHED_AGENTS?.split(',').map((n) => n.trim()).filter((n) => n !== '');
  return { serviceSecret, limits, ...(names && names.length > 0 ? { detachedAgents: names } : {}) };
}
