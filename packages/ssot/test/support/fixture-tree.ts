import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_EXCLUDES, audit, type AuditOptions, type AuditReport, type ConceptAudit, type ConceptSpec } from 'ssot';

/** A source tree written to a fresh temporary directory; `remove()` deletes it. */
export interface FixtureTree {
  readonly root: string;
  read(path: string): string;
  write(path: string, text: string): void;
  remove(): void;
}

export function fixtureTree(files: Readonly<Record<string, string>>): FixtureTree {
  const root = mkdtempSync(join(tmpdir(), 'ssot-fixture-'));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return {
    root,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    write,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export function concept(name: string, settings: Partial<Omit<ConceptSpec, 'name'>> = {}): ConceptSpec {
  return { name, canonical: null, factories: [], deprecated: [], limits: {}, ignoreImportsIn: [], ...settings };
}

export async function auditTree(tree: FixtureTree, spec: ConceptSpec, options: Partial<AuditOptions> = {}): Promise<{ report: AuditReport; concept: ConceptAudit }> {
  const report = await audit({ root: tree.root, concepts: [spec], exclude: DEFAULT_EXCLUDES, ...options });
  const first = report.concepts[0];
  if (first === undefined) throw new Error('the audit returned no concept');
  return { report, concept: first };
}
