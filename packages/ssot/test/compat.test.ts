import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES, fixImports, renderMarkdown } from 'ssot';
import { auditTree, concept, fixtureTree, type FixtureTree } from './support/fixture-tree.js';
import { ssotFromSource } from './support/run-bin.js';

function options(tree: FixtureTree, canonical: string, write: boolean, allowIncompatible = false) {
  return { root: tree.root, concepts: [concept('WebSocketNotifier', { canonical })], exclude: DEFAULT_EXCLUDES, write, allowIncompatible };
}

/** The situation: the canonical class has fewer methods and another constructor. */
function pythonTree(): FixtureTree {
  return fixtureTree({
    'pkg/__init__.py': '',
    'pkg/base.py': 'class Emitting:\n    def emit(self, event):\n        return event\n',
    'pkg/old_module.py': [
      'import logging',
      'logger = logging.getLogger(__name__)',
      'RETRIES = 3',
      '',
      'class WebSocketNotifier:',
      '    def __init__(self, websocket_manager, test_mode=False):',
      '        self.manager = websocket_manager',
      '',
      '    def send_agent_started(self, run):',
      '        return run',
      '',
      '    def send_tool_result(self, run):',
      '        return run',
      '',
      '    def emit(self, event):',
      '        return event',
      '',
      '    @classmethod',
      '    def for_tests(cls):',
      '        return cls(None, test_mode=True)',
      '',
    ].join('\n'),
    'pkg/bridge.py': [
      'from pkg.base import Emitting',
      '',
      'class WebSocketNotifier(Emitting):',
      '    def __init__(self, emitter, exec_context, *, retries=1):',
      '        self.exec_context = exec_context',
      '',
      '    def send_agent_started(self, run):',
      '        return run',
      '',
    ].join('\n'),
    'pkg/engine.py': [
      'from pkg.old_module import WebSocketNotifier, RETRIES',
      '',
      '',
      'class Engine:',
      '    def __init__(self, manager):',
      '        self.notifier = WebSocketNotifier(manager, test_mode=True)',
      '',
      '    def run(self, run):',
      '        self.notifier.send_agent_started(run)',
      '        self.notifier.send_tool_result(run)',
      '        return self.notifier.emit(run), RETRIES',
      '',
    ].join('\n'),
    'pkg/typed.py': [
      'from pkg.old_module import WebSocketNotifier as WSN',
      '',
      'def handle(notifier: WSN, run):',
      '    notifier.exec_context',
      '    notifier.emit(run)',
      '    WSN(emitter=None, exec_context=None).send_tool_result(run)',
      '    return WSN.for_tests()',
      '',
      'def fine(emitter, context):',
      '    return WSN(emitter, exec_context=context, retries=2)',
      '',
    ].join('\n'),
  });
}

describe('compatibility before rewriting: Python', () => {
  const tree = pythonTree();
  afterAll(() => tree.remove());

  it('reports each missing member and constructor mismatch with file:line, inherited members counting', async () => {
    const result = await fixImports(options(tree, 'pkg.bridge', false));
    expect(result.compatibility.canonicalClass).toBe('pkg/bridge.py:3');
    expect(result.compatibility.canonicalSignature).toBe('(emitter, exec_context, *, retries=…)');
    expect(result.compatibility.mismatches.map((m) => [m.file, m.line, m.kind, m.subject])).toEqual([
      ['pkg/engine.py', 6, 'constructor', 'WebSocketNotifier(manager, test_mode=True)'],
      ['pkg/engine.py', 10, 'missing-member', 'send_tool_result'],
      ['pkg/typed.py', 6, 'missing-member', 'send_tool_result'],
      ['pkg/typed.py', 7, 'missing-member', 'for_tests'],
    ]);
    expect(result.compatibility.mismatches[0]?.detail).toContain("keyword argument 'test_mode' is not a parameter; missing required argument 'exec_context'");
    expect(result.compatibility.notes).toEqual([
      "pkg/engine.py:1: 'RETRIES' is imported alongside WebSocketNotifier from pkg.old_module and is not in the canonical module; it stays on the old import",
    ]);
  });

  it('refuses --write while mismatches exist, with exit code 4 and the report; --allow-incompatible writes', async () => {
    const before = tree.read('pkg/engine.py');
    const refused = ssotFromSource(['fix', tree.root, '--concept', 'WebSocketNotifier', '--canonical', 'pkg.bridge', '--write', '--no-progress'], tree.root);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('[SSOT_INCOMPATIBLE]');
    expect(refused.stderr).toContain("pkg/engine.py:10: missing-member: 'send_tool_result' read on an instance (self.notifier)");
    expect(tree.read('pkg/engine.py')).toBe(before);
    const forced = await fixImports(options(tree, 'pkg.bridge', true, true));
    expect(forced.written).toBe(true);
    expect(tree.read('pkg/engine.py')).toContain('from pkg.bridge import WebSocketNotifier');
  }, 60_000);
});

describe('compatibility before rewriting: TypeScript', () => {
  const tree = fixtureTree({
    'src/base.ts': 'export class Emitting {\n  emit(event: string): string {\n    return event;\n  }\n}\n',
    'src/legacy/notifier.ts': [
      'export class WebSocketNotifier {',
      '  static create(): WebSocketNotifier { return new WebSocketNotifier(null, false); }',
      '  constructor(readonly manager: unknown, testMode: boolean) {}',
      '  sendAgentStarted(): void {}',
      '  sendToolResult(): void {}',
      '}',
      '',
    ].join('\n'),
    'src/transport/notifier.ts': [
      "import { Emitting } from '../base.js';",
      'export class WebSocketNotifier extends Emitting {',
      '  constructor(private readonly emitter: unknown, execContext?: unknown) { super(); }',
      '  sendAgentStarted(): void {}',
      '}',
      '',
    ].join('\n'),
    'src/engine.ts': [
      "import { WebSocketNotifier } from './legacy/notifier.js';",
      'export class Engine {',
      '  private readonly notifier = new WebSocketNotifier({}, true, 3);',
      '  constructor(private readonly other: WebSocketNotifier) {}',
      '  run(): void {',
      '    this.notifier.sendAgentStarted();',
      '    this.notifier.emit("x");',
      '    this.other.sendToolResult();',
      '  }',
      '}',
      '',
    ].join('\n'),
    'test/engine.test.ts': [
      "import { WebSocketNotifier as N } from '../src/legacy/notifier.js';",
      'const made = N.create();',
      'const plain = new N();',
      'made.sendAgentStarted();',
      'new N({}).sendToolResult();',
      '',
    ].join('\n'),
  });
  afterAll(() => tree.remove());

  it('checks constructor arity, instance, parameter-property and static members against the canonical class', async () => {
    const result = await fixImports(options(tree, 'src/transport/notifier.ts', true));
    expect(result.refused).toBe(true);
    expect(result.written).toBe(false);
    expect(result.compatibility.canonicalSignature).toBe('(emitter, execContext=…)');
    expect(result.compatibility.mismatches.map((m) => [m.file, m.line, m.kind, m.subject])).toEqual([
      ['src/engine.ts', 3, 'constructor', 'new WebSocketNotifier({}, true, 3)'],
      ['src/engine.ts', 8, 'missing-member', 'sendToolResult'],
      ['test/engine.test.ts', 2, 'missing-member', 'create'],
      ['test/engine.test.ts', 3, 'constructor', 'new N()'],
      ['test/engine.test.ts', 5, 'missing-member', 'sendToolResult'],
    ]);
    expect(tree.read('src/engine.ts')).toContain("from './legacy/notifier.js'");
  });
});

describe('audit: API drift between implementations', () => {
  const python = pythonTree();
  afterAll(() => python.remove());

  it('Python: members only in one and the constructor difference, against the canonical class, and the callers a move would break', async () => {
    const { concept: audit } = await auditTree(python, concept('WebSocketNotifier', { canonical: 'pkg.bridge' }));
    expect(audit.apiDrift).toEqual([{
      reference: 'pkg/bridge.py:3',
      other: 'pkg/old_module.py:5',
      onlyInReference: ['exec_context'],
      onlyInOther: ['for_tests', 'manager', 'send_tool_result'],
      referenceSignature: '(emitter, exec_context, *, retries=…)',
      otherSignature: '(websocket_manager, test_mode=…)',
      signatureDiffers: true,
    }]);
    expect(audit.migrationMismatches.map((m) => `${m.file}:${m.line} ${m.subject}`)).toEqual([
      'pkg/engine.py:6 WebSocketNotifier(manager, test_mode=True)', 'pkg/engine.py:10 send_tool_result', 'pkg/typed.py:6 send_tool_result', 'pkg/typed.py:7 for_tests',
    ]);
    expect(renderMarkdown(await audit0(python))).toContain('### API drift between implementations: 1');
  });

  const ts = fixtureTree({
    'src/a/notifier.ts': 'export class WebSocketNotifier {\n  constructor(a: string) {}\n  send(): void {}\n  close(): void {}\n}\n',
    'src/b/notifier.ts': 'export class WebSocketNotifier {\n  constructor(a: string, b?: number) {}\n  send(): void {}\n  flush(): void {}\n}\n',
    'src/use.ts': "import { WebSocketNotifier } from './a/notifier.js';\nexport const n = new WebSocketNotifier('x');\n",
  });
  afterAll(() => ts.remove());

  it('TypeScript: without a canonical, against the implementation most files reach', async () => {
    const { concept: audit } = await auditTree(ts, concept('WebSocketNotifier'));
    expect(audit.apiDrift).toEqual([{
      reference: 'src/a/notifier.ts:1', other: 'src/b/notifier.ts:1', onlyInReference: ['close'], onlyInOther: ['flush'],
      referenceSignature: '(a)', otherSignature: '(a, b=…)', signatureDiffers: true,
    }]);
    expect(audit.migrationMismatches).toEqual([]);
  });
});

async function audit0(tree: FixtureTree) {
  return (await auditTree(tree, concept('WebSocketNotifier', { canonical: 'pkg.bridge' }))).report;
}
