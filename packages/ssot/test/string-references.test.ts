import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, fixImports } from 'ssot';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

describe('string references: Python', () => {
  const tree = fixtureTree({
    'pkg/__init__.py': '',
    'pkg/old_module.py': 'import logging\nlogger = logging.getLogger(__name__)\n\nclass WebSocketNotifier:\n    def send(self):\n        pass\n',
    'pkg/bridge.py': 'import logging\nlogger = logging.getLogger(__name__)\n\nclass WebSocketNotifier:\n    def send(self):\n        pass\n',
    'pkg/engine.py': 'import importlib\nfrom pkg.old_module import WebSocketNotifier\n\ndef load():\n    return importlib.import_module("pkg.old_module")\n',
    'tests/test_engine.py': [
      'from unittest import mock',
      'from unittest.mock import patch',
      'from pkg.old_module import WebSocketNotifier as WSN',
      '',
      "@patch('pkg.old_module.logger')",
      'def test_logs(logger):',
      "    with mock.patch('pkg.old_module.WebSocketNotifier.send'):",
      '        pass',
      "    with patch.object(WSN, 'send'):",
      '        pass',
      '',
    ].join('\n'),
    // Names neither the concept nor its module in an import: found anyway.
    'tests/test_other.py': "from unittest.mock import patch\n\n@patch('pkg.old_module.WebSocketNotifier')\ndef test_other(n):\n    pass\n",
    'tests/test_unrelated.py': "from unittest.mock import patch\n\n@patch('os.path.exists')\ndef test_x(e):\n    pass\n",
  });
  afterAll(() => tree.remove());
  const spec = (canonical: string | null = 'pkg.bridge') => concept('WebSocketNotifier', { canonical });

  it('counts them per module path, tests and production apart, each kind found', async () => {
    const { concept: audit } = await auditTree(tree, spec());
    expect(audit.stringReferences.map((path) => [path.path, path.files, path.productionFiles, path.testFiles, path.canonical])).toEqual([
      ['pkg.old_module', 3, 1, 2, false],
    ]);
    expect(audit.stringReferences[0]?.references.map((r) => `${r.file}:${r.line} ${r.kind} ${r.value}`)).toEqual([
      'pkg/engine.py:5 import_module pkg.old_module',
      'tests/test_engine.py:5 mock.patch pkg.old_module.logger',
      'tests/test_engine.py:7 mock.patch pkg.old_module.WebSocketNotifier.send',
      'tests/test_engine.py:9 patch.object WSN.send',
      'tests/test_other.py:3 mock.patch pkg.old_module.WebSocketNotifier',
    ]);
  });

  it('fix rewrites them with the imports', async () => {
    const result = await fixImports({ root: tree.root, concepts: [spec()], exclude: DEFAULT_EXCLUDES, write: true });
    expect(result.compatibility.mismatches).toEqual([]);
    expect(result.written).toBe(true);
    expect(tree.read('tests/test_engine.py')).toContain("@patch('pkg.bridge.logger')");
    expect(tree.read('tests/test_engine.py')).toContain("mock.patch('pkg.bridge.WebSocketNotifier.send')");
    expect(tree.read('tests/test_engine.py')).toContain('from pkg.bridge import WebSocketNotifier as WSN');
    expect(tree.read('tests/test_other.py')).toContain("@patch('pkg.bridge.WebSocketNotifier')");
    expect(tree.read('pkg/engine.py')).toContain('importlib.import_module("pkg.bridge")');
    expect(tree.read('tests/test_unrelated.py')).toContain("@patch('os.path.exists')");
    const { concept: after } = await auditTree(tree, spec());
    expect(after.stringReferences.map((path) => [path.path, path.canonical])).toEqual([['pkg.bridge', true]]);
  });
});

describe('string references: a name the canonical module lacks', () => {
  const tree = fixtureTree({
    'pkg/__init__.py': '',
    'pkg/old_module.py': 'logger = None\n\nclass WebSocketNotifier:\n    def send(self):\n        pass\n',
    'pkg/bridge.py': 'class WebSocketNotifier:\n    def emit(self):\n        pass\n',
    'tests/test_x.py': "from unittest.mock import patch\nfrom pkg.old_module import WebSocketNotifier\n\n@patch('pkg.old_module.logger')\n@patch('pkg.old_module.WebSocketNotifier.send')\ndef test_x(a, b):\n    pass\n",
  });
  afterAll(() => tree.remove());

  it('is a mismatch, and --write refuses', async () => {
    const result = await fixImports({ root: tree.root, concepts: [concept('WebSocketNotifier', { canonical: 'pkg.bridge' })], exclude: DEFAULT_EXCLUDES, write: true });
    expect(result.refused).toBe(true);
    expect(result.compatibility.mismatches.map((m) => `${m.file}:${m.line} ${m.kind} ${m.subject}`)).toEqual([
      'tests/test_x.py:4 string-reference pkg.old_module.logger',
      'tests/test_x.py:5 string-reference pkg.old_module.WebSocketNotifier.send',
    ]);
    expect(tree.read('tests/test_x.py')).toContain("@patch('pkg.old_module.logger')");
  });
});

describe('string references: TypeScript', () => {
  const tree = fixtureTree({
    'src/legacy/notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/transport/notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/engine.ts': "import { WebSocketNotifier } from './legacy/notifier.js';\nexport const where = require.resolve('./legacy/notifier.js');\nexport const n = new WebSocketNotifier();\n",
    'test/a.test.ts': "import { WebSocketNotifier } from '../src/legacy/notifier.js';\nvi.mock('../src/legacy/notifier.js');\nexport const n = new WebSocketNotifier();\n",
    'test/b.test.ts': "jest.mock('../src/legacy/notifier', () => ({}));\njest.mock('../src/elsewhere');\n",
  });
  afterAll(() => tree.remove());
  const spec = concept('WebSocketNotifier', { canonical: 'src/transport/notifier.ts' });

  it('counts jest.mock, vi.mock and require.resolve per module, and fix rewrites them in the file\'s style', async () => {
    const { concept: audit } = await auditTree(tree, spec);
    expect(audit.stringReferences.map((path) => [path.path, path.files, path.productionFiles, path.testFiles])).toEqual([['src/legacy/notifier', 3, 1, 2]]);
    expect(audit.stringReferences[0]?.references.map((r) => `${r.file}:${r.line} ${r.kind}`)).toEqual([
      'src/engine.ts:2 require.resolve', 'test/a.test.ts:2 vi.mock', 'test/b.test.ts:1 jest.mock',
    ]);
    const result = await fixImports({ root: tree.root, concepts: [spec], exclude: DEFAULT_EXCLUDES, write: true });
    expect(result.changes.map((change) => [change.file, change.imports, change.strings])).toEqual([
      ['src/engine.ts', 1, 1], ['test/a.test.ts', 1, 1], ['test/b.test.ts', 0, 1],
    ]);
    expect(tree.read('src/engine.ts')).toContain("require.resolve('./transport/notifier.js')");
    expect(tree.read('test/a.test.ts')).toContain("vi.mock('../src/transport/notifier.js')");
    expect(tree.read('test/b.test.ts')).toBe("jest.mock('../src/transport/notifier', () => ({}));\njest.mock('../src/elsewhere');\n");
  });
});
