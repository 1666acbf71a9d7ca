import type { ConstructionFinding, DeprecatedReference, ImportPath, LimitBreach, Metrics, NearDuplicate, UnresolvedImport } from './audit-result.js';
import { LIMIT_KEYS, type Limits } from './concept-spec.js';

export interface MetricInputs {
  readonly paths: readonly ImportPath[];
  readonly implementations: number;
  readonly nearDuplicates: readonly NearDuplicate[];
  readonly constructions: readonly ConstructionFinding[];
  readonly deprecatedReferences: readonly DeprecatedReference[];
  readonly unresolvedImports: readonly UnresolvedImport[];
}

/** The tracker's success metrics, measured. */
export function computeMetrics(inputs: MetricInputs): Metrics {
  const files = new Set(inputs.paths.flatMap((path) => path.uses.map((use) => use.file)));
  const viaFactory = inputs.constructions.filter((construction) => construction.factory !== null).length;
  const total = inputs.constructions.length;
  return {
    importPaths: inputs.paths.length,
    importPathsProduction: inputs.paths.filter((path) => path.productionFiles > 0).length,
    filesReaching: files.size,
    implementations: inputs.implementations,
    nearDuplicates: inputs.nearDuplicates.filter((duplicate) => duplicate.likely).length,
    constructions: total,
    constructionsViaFactory: viaFactory,
    constructionsOutsideFactory: total - viaFactory,
    factoryShare: total === 0 ? null : viaFactory / total,
    deprecatedReferences: inputs.deprecatedReferences.length,
    unresolvedImports: inputs.unresolvedImports.filter((item) => item.breaksAtRunTime).length,
  };
}

export function limitBreaches(metrics: Metrics, limits: Limits): LimitBreach[] {
  const breaches: LimitBreach[] = [];
  for (const metric of LIMIT_KEYS) {
    const limit = limits[metric];
    if (limit !== undefined && metrics[metric] > limit) breaches.push({ metric, limit, actual: metrics[metric] });
  }
  return breaches;
}
