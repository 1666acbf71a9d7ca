import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, audit, fixImports } from 'ssot';
import { concept, fixtureTree, type FixtureTree } from './support/fixture-tree.js';
import { typeCheck } from './support/type-check.js';

function fixOptions(tree: FixtureTree, canonical: string, write: boolean) {
  return { root: tree.root, concepts: [concept('WebSocketNotifier', { canonical })], exclude: DEFAULT_EXCLUDES, write };
}

async function importPaths(tree: FixtureTree): Promise<string[]> {
  const report = await audit({ root: tree.root, concepts: [concept('WebSocketNotifier')], exclude: DEFAULT_EXCLUDES });
  return report.concepts[0]?.importPaths.map((path) => path.path) ?? [];
}

describe('fix: TypeScript', () => {
  const tree = fixtureTree({
    'package.json': JSON.stringify({ type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [] },
      include: ['src', 'test'],
    }),
    'src/transport/websocket-notifier.ts': "export class WebSocketNotifier {\n  send(): string {\n    return 'ok';\n  }\n}\n",
    'src/transport/index.ts': "export { WebSocketNotifier } from './websocket-notifier.js';\n",
    'src/old/legacy.ts': "export { WebSocketNotifier } from '../transport/websocket-notifier.js';\nexport const legacyFlag = true;\nexport type Other = number;\n",
    'src/bridge.ts': [
      '// the bridge keeps its comment',
      "import { legacyFlag, WebSocketNotifier as Notifier, type Other } from './old/legacy.js'; // trailing",
      '',
      'export const o: Other = legacyFlag ? 1 : 0;',
      'export const n = new Notifier().send();',
      '',
    ].join('\n'),
    'src/engine.ts': 'import { WebSocketNotifier } from "./transport/websocket-notifier.js";\n\nexport const e: WebSocketNotifier | null = null;\n',
    'src/multi.ts': "import {\n  legacyFlag,\n  WebSocketNotifier,\n} from './old/legacy.js';\n\nexport const m = legacyFlag ? new WebSocketNotifier() : null;\n",
    'test/x.test.ts': "import type { WebSocketNotifier } from '../src/old/legacy.js';\n\nexport const t: WebSocketNotifier | null = null;\n",
  });
  afterAll(() => tree.remove());

  it('prints a unified diff and writes nothing on a dry run', async () => {
    const before = tree.read('src/engine.ts');
    const result = await fixImports(fixOptions(tree, 'src/transport/index.ts', false));
    expect(tree.read('src/engine.ts')).toBe(before);
    expect(result.written).toBe(false);
    expect(result.changes.map((change) => [change.file, change.imports])).toEqual([
      ['src/bridge.ts', 1], ['src/engine.ts', 1], ['src/multi.ts', 1], ['src/old/legacy.ts', 1], ['test/x.test.ts', 1],
    ]);
    expect(result.changes.find((change) => change.file === 'src/bridge.ts')?.diff).toBe([
      '--- a/src/bridge.ts',
      '+++ b/src/bridge.ts',
      '@@ -1,5 +1,6 @@',
      ' // the bridge keeps its comment',
      "-import { legacyFlag, WebSocketNotifier as Notifier, type Other } from './old/legacy.js'; // trailing",
      "+import { legacyFlag, type Other } from './old/legacy.js';",
      "+import { WebSocketNotifier as Notifier } from './transport/index.js'; // trailing",
      ' ',
      ' export const o: Other = legacyFlag ? 1 : 0;',
      ' export const n = new Notifier().send();',
      '',
    ].join('\n'));
    expect(result.skipped).toEqual([]);
  });

  it('rewrites every import to the canonical path, keeping the fixture type-correct, and is idempotent', async () => {
    expect(typeCheck(tree.root)).toEqual([]);
    expect(await importPaths(tree)).toEqual(['src/old/legacy', 'src/transport/websocket-notifier']);
    const result = await fixImports(fixOptions(tree, 'src/transport/index.ts', true));
    expect(result.written).toBe(true);
    expect(result.before.importPaths).toBe(2);
    expect(result.after?.importPaths).toBe(1);
    expect(await importPaths(tree)).toEqual(['src/transport']);
    expect(typeCheck(tree.root)).toEqual([]);
    expect(tree.read('src/engine.ts')).toBe('import { WebSocketNotifier } from "./transport/index.js";\n\nexport const e: WebSocketNotifier | null = null;\n');
    expect(tree.read('src/multi.ts')).toBe(
      "import {\n  legacyFlag,\n} from './old/legacy.js';\nimport { WebSocketNotifier } from './transport/index.js';\n\nexport const m = legacyFlag ? new WebSocketNotifier() : null;\n",
    );
    expect(tree.read('test/x.test.ts')).toBe("import type { WebSocketNotifier } from '../src/transport/index.js';\n\nexport const t: WebSocketNotifier | null = null;\n");
    const again = await fixImports(fixOptions(tree, 'src/transport/index.ts', true));
    expect(again.changes).toEqual([]);
  }, 120_000);
});

describe('fix: Python', () => {
  const tree = fixtureTree({
    'app/__init__.py': '',
    'app/notify/__init__.py': '',
    'app/notify/core.py': 'class WebSocketNotifier:\n    def send(self):\n        return "sent"\n',
    'app/legacy/__init__.py': 'from app.notify.core import WebSocketNotifier\n\n\ndef helper():\n    return "!"\n',
    'app/main.py': [
      'from app.legacy import WebSocketNotifier  # legacy path',
      'from .legacy import (',
      '    WebSocketNotifier as WSN,',
      '    helper,',
      ')',
      '',
      '',
      'def run():',
      '    return WebSocketNotifier().send() + WSN().send() + helper()',
      '',
    ].join('\n'),
  });
  afterAll(() => tree.remove());
  const runMain = (): string => execFileSync('python3', ['-c', 'from app.main import run; print(run())'], { cwd: tree.root, encoding: 'utf8' }).trim();

  it('rewrites relative and absolute imports, keeping aliases, comments and other names', async () => {
    expect(runMain()).toBe('sentsent!');
    expect(await importPaths(tree)).toEqual(['app.legacy']);
    const result = await fixImports(fixOptions(tree, 'app.notify.core', true));
    expect(result.after?.importPaths).toBe(1);
    expect(tree.read('app/main.py')).toBe([
      'from app.notify.core import WebSocketNotifier  # legacy path',
      'from .legacy import (',
      '    helper,',
      ')',
      'from app.notify.core import WebSocketNotifier as WSN',
      '',
      '',
      'def run():',
      '    return WebSocketNotifier().send() + WSN().send() + helper()',
      '',
    ].join('\n'));
    expect(runMain()).toBe('sentsent!');
    expect(await importPaths(tree)).toEqual(['app.notify.core']);
    expect((await fixImports(fixOptions(tree, 'app.notify.core', false))).changes).toEqual([]);
  }, 60_000);
});

describe('fix: files that do not parse', () => {
  const tree = fixtureTree({
    'src/notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/index.ts': "export { WebSocketNotifier } from './notifier.js';\n",
    'src/broken.ts': "import { WebSocketNotifier } from './notifier.js';\nexport const = ;\n",
    'app/__init__.py': '',
    'app/core.py': 'from .notifier import WebSocketNotifier\ndef (:\n',
  });
  afterAll(() => tree.remove());

  it('are reported and left alone', async () => {
    const result = await fixImports(fixOptions(tree, 'src/index.ts', true));
    expect(result.changes).toEqual([]);
    expect(result.skipped).toEqual([{ file: 'src/broken.ts', line: 1, reason: 'the file has syntax errors; left alone' }]);
    expect(tree.read('src/broken.ts')).toBe("import { WebSocketNotifier } from './notifier.js';\nexport const = ;\n");
    const report = await audit({ root: tree.root, concepts: [concept('WebSocketNotifier')], exclude: DEFAULT_EXCLUDES });
    expect(report.parseErrors.map((error) => error.file)).toEqual(['app/core.py', 'src/broken.ts']);
  });
});
