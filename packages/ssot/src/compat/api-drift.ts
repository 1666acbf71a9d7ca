import type { DefinitionRef } from '../analysis/export-trace.js';
import type { SurfaceReader } from './class-surface.js';
import { sameSignature, signatureText } from './signature.js';

/** How one implementation's API differs from the reference one (the canonical, else the most used). */
export interface ApiDrift {
  /** `file:line` of the reference definition. */
  readonly reference: string;
  /** `file:line` of the definition compared with it. */
  readonly other: string;
  readonly onlyInReference: readonly string[];
  readonly onlyInOther: readonly string[];
  /** `(emitter, exec_context)`; null when the constructor is inherited from outside the tree. */
  readonly referenceSignature: string | null;
  readonly otherSignature: string | null;
  readonly signatureDiffers: boolean;
}

/**
 * Compares the classes among the implementations, inherited members included: what only one of
 * them offers is what a migration from the other would lose. Non-class implementations (a
 * function, a type) have no members to compare and are left out.
 */
export function apiDrift(reader: SurfaceReader, reference: DefinitionRef | undefined, others: readonly DefinitionRef[]): ApiDrift[] {
  if (reference === undefined || reference.definition.kind !== 'class') return [];
  const base = reader.surface(reference.file, reference.definition.name, reference.definition.line);
  if (base === null) return [];
  const drifts: ApiDrift[] = [];
  for (const ref of others) {
    // A Python class and a TS class of the same name are not rivals for the same callers.
    if (ref === reference || ref.definition.kind !== 'class' || ref.file.family !== reference.file.family) continue;
    const other = reader.surface(ref.file, ref.definition.name, ref.definition.line);
    if (other === null) continue;
    const onlyInReference = [...base.members].filter((member) => !other.members.has(member)).sort();
    const onlyInOther = [...other.members].filter((member) => !base.members.has(member)).sort();
    const signatureDiffers = base.constructor !== null && other.constructor !== null && !sameSignature(base.constructor, other.constructor);
    if (onlyInReference.length === 0 && onlyInOther.length === 0 && !signatureDiffers) continue;
    drifts.push({
      reference: base.at,
      other: other.at,
      onlyInReference,
      onlyInOther,
      referenceSignature: base.constructor === null ? null : signatureText(base.constructor),
      otherSignature: other.constructor === null ? null : signatureText(other.constructor),
      signatureDiffers,
    });
  }
  return drifts;
}
