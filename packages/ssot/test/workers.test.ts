import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, audit, auditRun, renderJson } from 'ssot';
import { interestOf } from '../src/analysis/prefilter.js';
import type { FileFacts } from '../src/facts/file-facts.js';
import { walkSources } from '../src/files/walk.js';
import { extractFile } from '../src/parse/extract-file.js';
import { ExtractionPool } from '../src/parse/extraction-pool.js';
import { concept, fixtureTree } from './support/fixture-tree.js';

/**
 * A tree with something of everything, in enough files that every thread gets some: TS and
 * Python definitions, imports through barrels and `__init__`, aliases, constructions, role-word
 * look-alikes, a deprecated module, unresolved imports and syntax errors.
 */
function mixedTree(): ReturnType<typeof fixtureTree> {
  const files: Record<string, string> = {
    'src/transport/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n  close(): void {}\n  flush(): void {}\n}\n',
    'src/legacy/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n  close(): void {}\n  flush(): void {}\n}\n',
    'src/index.ts': "export * from './transport/notifier.js';\nexport { WebSocketNotifier as Notifier } from './legacy/notifier.js';\n",
    'src/email.ts': 'export class EmailNotifier {\n  send(): void {}\n  close(): void {}\n  flush(): void {}\n}\n',
    'src/broken.ts': "import { WebSocketNotifier } from './index.js';\nexport const x = new WebSocketNotifier(;\n",
    'src/cjs.js': "const { WebSocketNotifier } = require('./transport/notifier');\nexports.make = () => new WebSocketNotifier();\nmodule.exports.Other = WebSocketNotifier;\n",
    'app/__init__.py': '',
    'app/notifier.py': 'class WebSocketNotifier:\n    def send(self): pass\n    def close(self): pass\n    def flush(self): pass\n\n__all__ = ["WebSocketNotifier"]\n',
    'app/services/__init__.py': 'from app.notifier import WebSocketNotifier\n',
    'app/broken.py': 'from app.notifier import WebSocketNotifier\ndef f(:\n    return WebSocketNotifier()\n',
    'app/mail.py': 'class MailNotifier:\n    def send(self): pass\n',
  };
  for (let index = 0; index < 30; index += 1) {
    files[`src/feature-${index}/use.ts`] = [
      index % 3 === 0 ? "import { WebSocketNotifier } from '../index.js';" : "import { WebSocketNotifier as N } from '../transport/notifier.js';",
      `import { missing${index} } from './nowhere.js';`,
      index % 3 === 0 ? `export const n${index} = new WebSocketNotifier();` : `export function make${index}() { return new N(); }`,
      '',
    ].join('\n');
    files[`app/feature_${index}.py`] = [
      index % 2 === 0 ? 'from app.services import WebSocketNotifier' : 'import app.notifier as n',
      `from .gone_${index} import thing`,
      '',
      'def build():',
      index % 2 === 0 ? '    return WebSocketNotifier()' : '    return n.WebSocketNotifier()',
      '',
    ].join('\n');
    files[`src/plain-${index}.ts`] = `export const value${index} = ${index};\nexport class Plain${index} { a() {} b() {} c() {} }\n`;
  }
  return fixtureTree(files);
}

describe('extraction on worker threads', () => {
  const tree = mixedTree();
  afterAll(() => tree.remove());
  const spec = concept('WebSocketNotifier', { deprecated: ['src/legacy/notifier.ts'], factories: ['make0'] });

  /** The JSON report, with the one field that measures time set to 0. */
  async function reportJson(workers: number | undefined, scope: 'concept' | 'tree'): Promise<string> {
    const report = await audit({ root: tree.root, concepts: [spec], exclude: DEFAULT_EXCLUDES, scope, ...(workers === undefined ? {} : { workers }) });
    return renderJson({ ...report, durationMs: 0 });
  }

  for (const scope of ['concept', 'tree'] as const) {
    it(`gives byte-identical JSON with 0 and 3 workers and the default (--scope ${scope})`, async () => {
      const alone = await reportJson(0, scope);
      const threaded = await reportJson(3, scope);
      expect(threaded).toBe(alone);
      // The default: the main thread parses on libuv's thread pool while it extracts.
      expect(await reportJson(undefined, scope)).toBe(alone);
      const report = JSON.parse(alone) as { files: { parsed: number }; parseErrors: unknown[]; concepts: { metrics: { implementations: number; constructions: number } }[] };
      expect(report.parseErrors.length).toBeGreaterThanOrEqual(1);
      expect(report.concepts[0]?.metrics.implementations).toBeGreaterThanOrEqual(3);
      expect(report.concepts[0]?.metrics.constructions).toBeGreaterThanOrEqual(30);
      if (scope === 'tree') expect(report.files.parsed).toBe(101);
    }, 60_000);
  }

  it('hands files to the workers and gets back the facts the main thread would extract', async () => {
    const files = walkSources(tree.root, { exclude: DEFAULT_EXCLUDES, tests: [] });
    const interest = interestOf([spec]);
    const facts = new Map<string, FileFacts>();
    const pool = new ExtractionPool({ interest, threads: 2, mainThreadWorks: false, onFacts: (file, found) => facts.set(file.path, found) });
    try {
      for (const file of files) pool.submit(file);
      pool.start();
      await pool.drain();
      expect(pool.filesByWorkers).toBe(files.length);
    } finally {
      await pool.close();
    }
    expect(facts.size).toBe(files.length);
    for (const file of files) expect(facts.get(file.path)).toEqual(extractFile(file, interest));
  }, 60_000);

  it('gives files with the same bytes (twins) the facts their own parse would give', async () => {
    const twinTree = fixtureTree({
      'a/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n}\n',
      'b/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n}\n',
      'c/notifier.js': 'export class WebSocketNotifier {\n  send() {}\n}\n',
      'd/notifier.d.ts': 'export declare class WebSocketNotifier {\n  send(): void;\n}\n',
      'e/notifier.d.ts': 'export declare class WebSocketNotifier {\n  send(): void;\n}\n',
      'f/email.ts': 'export class EmailNotifier {}\n',
      'g/email.ts': 'export class EmailNotifier {}\n',
    });
    try {
      for (const workers of [0, undefined]) {
        const run = await auditRun({ root: twinTree.root, concepts: [spec], exclude: DEFAULT_EXCLUDES, ...(workers === undefined ? {} : { workers }) });
        expect(run.report.files.parsed).toBe(7);
        expect(run.report.concepts[0]?.metrics.implementations).toBe(3);
        for (const file of run.project.files) expect(run.project.facts(file)).toEqual(extractFile(file, run.project.interest));
      }
    } finally {
      twinTree.remove();
    }
  }, 60_000);
});
