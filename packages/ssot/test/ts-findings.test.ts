import { afterAll, describe, expect, it } from 'vitest';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

const NOTIFIER = 'export class WebSocketNotifier {}\n';

describe('TS: imports that resolve to no module', () => {
  const tree = fixtureTree({
    'src/a.ts': [
      "import { WebSocketNotifier } from './gone.js';",
      "import type { Shape } from './types-gone.js';",
      "import { x } from 'not-installed';",
      "import { readFileSync } from 'node:fs';",
      'export const n: WebSocketNotifier | Shape | typeof x | typeof readFileSync = null!;',
      '',
    ].join('\n'),
    'src/b.ts': "import { y } from './missing.js';\nexport const z = y;\n",
  });
  afterAll(() => tree.remove());

  it('lists them by file in the files that mention the concept, marking type-only ones', async () => {
    const { report, concept: result } = await auditTree(tree, concept('WebSocketNotifier'));
    const rows = report.unresolvedImports.map((u) => [`${u.file}:${u.line}`, u.specifier, u.breaksAtRunTime, u.concepts]);
    expect(rows).toEqual([
      ['src/a.ts:1', './gone.js', true, ['WebSocketNotifier']],
      ['src/a.ts:2', './types-gone.js', false, []],
      ['src/a.ts:3', 'not-installed', true, []],
    ]);
    expect(result.unresolvedImports.map((u) => u.specifier)).toEqual(['./gone.js']);
    expect(result.metrics.unresolvedImports).toBe(1);
    expect(result.importPaths.map((p) => [p.path, p.resolution])).toEqual([['src/gone', 'unresolved']]);
  });

  it('checks every file with --scope tree', async () => {
    const { report } = await auditTree(tree, concept('WebSocketNotifier'), { scope: 'tree' });
    expect(report.unresolvedImports.map((u) => `${u.file}:${u.line}`)).toEqual(['src/a.ts:1', 'src/a.ts:2', 'src/a.ts:3', 'src/b.ts:1']);
    expect(report.files.parsed).toBe(2);
  });
});

describe('TS: constructions outside the factory', () => {
  const tree = fixtureTree({
    'src/transport/websocket-notifier.ts': NOTIFIER,
    'src/factory.ts': [
      "import { WebSocketNotifier } from './transport/websocket-notifier.js';",
      'export function createNotifier() { return new WebSocketNotifier(); }',
      'export class NotifierFactory {',
      '  create() { return new WebSocketNotifier(); }',
      '  other() { return new WebSocketNotifier(); }',
      '}',
      'export const make = () => new WebSocketNotifier();',
      '',
    ].join('\n'),
    'src/direct.ts': "import { WebSocketNotifier as N } from './transport/websocket-notifier.js';\nexport const n = new N();\n",
    'test/direct.test.ts': "import * as t from '../src/transport/websocket-notifier.js';\nexport const m = new t.WebSocketNotifier();\n",
  });
  afterAll(() => tree.remove());

  it('finds `new` through names, aliases and namespaces, and checks each against the factories', async () => {
    const spec = concept('WebSocketNotifier', { factories: ['createNotifier', 'NotifierFactory.create', 'make'] });
    const { concept: result } = await auditTree(tree, spec);
    const rows = result.constructions.map((c) => [`${c.file}:${c.line}`, c.callee, c.enclosing, c.factory, c.role]);
    expect(rows).toEqual([
      ['src/direct.ts:2', 'N', '<module>', null, 'production'],
      ['src/factory.ts:2', 'WebSocketNotifier', 'createNotifier', 'createNotifier', 'production'],
      ['src/factory.ts:4', 'WebSocketNotifier', 'NotifierFactory.create', 'NotifierFactory.create', 'production'],
      ['src/factory.ts:5', 'WebSocketNotifier', 'NotifierFactory.other', null, 'production'],
      ['src/factory.ts:7', 'WebSocketNotifier', 'make', 'make', 'production'],
      ['test/direct.test.ts:2', 't.WebSocketNotifier', '<module>', null, 'test'],
    ]);
    expect(result.metrics).toMatchObject({ constructions: 6, constructionsViaFactory: 3, constructionsOutsideFactory: 3, factoryShare: 0.5 });
  });
});

describe('TS: deprecated modules', () => {
  const tree = fixtureTree({
    'src/legacy/notifier.ts': 'export class WebSocketNotifier {}\nexport const helper = 1;\n',
    'src/transport/websocket-notifier.ts': NOTIFIER,
    'src/a.ts': "import { helper } from './legacy/notifier.js';\nexport const h = helper;\n",
    'src/b.ts': "import { WebSocketNotifier } from './transport/websocket-notifier.js';\nexport type B = WebSocketNotifier;\n",
    'test/a.test.ts': "import { WebSocketNotifier } from '../src/legacy/notifier';\nexport type A = WebSocketNotifier;\n",
  });
  afterAll(() => tree.remove());

  it('finds every import of a deprecated module, whatever it imports, split by test and production', async () => {
    const spec = concept('WebSocketNotifier', { deprecated: ['src/legacy/notifier.ts'], canonical: 'src/transport/websocket-notifier.ts' });
    const { concept: result } = await auditTree(tree, spec);
    expect(result.deprecatedReferences.map((r) => [`${r.file}:${r.line}`, r.specifier, r.names, r.role])).toEqual([
      ['src/a.ts:1', './legacy/notifier.js', ['helper'], 'production'],
      ['test/a.test.ts:1', '../src/legacy/notifier', ['WebSocketNotifier'], 'test'],
    ]);
    const definitions = result.definitions.map((d) => [d.file, d.canonical, d.inDeprecatedModule, d.reachedByFiles]);
    expect(definitions).toEqual([
      ['src/legacy/notifier.ts', false, true, 1],
      ['src/transport/websocket-notifier.ts', true, false, 1],
    ]);
    expect(result.attention.map((a) => [a.priority, a.file, a.action])).toEqual([
      ['P0', 'src/legacy/notifier.ts', 'REMOVE (merge into the canonical implementation)'],
      ['P0', 'src/transport/websocket-notifier.ts', 'KEEP as the single source of truth'],
      ['P1', 'src/a.ts', 'Stop importing deprecated module'],
      ['P2', 'test/a.test.ts', 'Stop importing deprecated module; Update imports to `src/transport/websocket-notifier.ts`'],
    ]);
  });
});
