import { afterAll, describe, expect, it } from 'vitest';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

const NOTIFIER = 'class WebSocketNotifier:\n    def send(self):\n        pass\n\n    def close(self):\n        pass\n\n    def flush(self):\n        pass\n';

/** The reference tracker's situation, in miniature. */
function trackerTree(): ReturnType<typeof fixtureTree> {
  return fixtureTree({
    'app/__init__.py': '',
    'app/agents/__init__.py': '',
    'app/agents/supervisor/__init__.py': 'from .websocket_notifier import WebSocketNotifier\n\n__all__ = ["WebSocketNotifier"]\n',
    'app/agents/supervisor/websocket_notifier.py': NOTIFIER,
    'app/services/__init__.py': '',
    'app/services/agent_websocket_bridge.py': [
      'class AgentWebSocketBridge:',
      '    class WebSocketNotifier:',
      '        pass',
      '',
      NOTIFIER,
      '',
      'def create_notifier():',
      '    return WebSocketNotifier()',
      '',
      'class WebSocketSender:',
      '    def send(self): pass',
      '    def close(self): pass',
      '    def flush(self): pass',
      '',
    ].join('\n'),
    'app/agents/supervisor/execution_engine.py': [
      'from app.agents.supervisor.websocket_notifier import WebSocketNotifier',
      'from . import websocket_notifier as wn',
      'import app.services.agent_websocket_bridge as bridge',
      'from ..gone import thing',
      'from app.services.nothing import X',
      'import json',
      '',
      'def run():',
      '    a = WebSocketNotifier()',
      '    b = wn.WebSocketNotifier()',
      '    return bridge.WebSocketNotifier()',
      '',
    ].join('\n'),
    'app/agents/supervisor/lazy.py': 'def later():\n    from app.services import agent_websocket_bridge\n    return agent_websocket_bridge.WebSocketNotifier\n',
    'tests/test_engine.py': [
      'from app.agents.supervisor import WebSocketNotifier',
      'from app.services.agent_websocket_bridge import WebSocketNotifier as N',
      '',
      'def test_x():',
      '    N()',
      '',
    ].join('\n'),
  });
}

describe('Python: the tracker situation', () => {
  const tree = trackerTree();
  afterAll(() => tree.remove());
  const spec = concept('WebSocketNotifier', {
    canonical: 'app.services.agent_websocket_bridge',
    deprecated: ['app/agents/supervisor/websocket_notifier.py'],
    factories: ['create_notifier'],
  });

  it('finds both implementations, the nested one and the near-duplicate', async () => {
    const { concept: result } = await auditTree(tree, spec);
    expect(result.definitions.map((d) => [`${d.file}:${d.line}`, d.qualifiedName, d.canonical, d.inDeprecatedModule, d.reachedByFiles])).toEqual([
      ['app/agents/supervisor/websocket_notifier.py:1', 'WebSocketNotifier', false, true, 2],
      ['app/services/agent_websocket_bridge.py:2', 'AgentWebSocketBridge.WebSocketNotifier', false, false, 0],
      ['app/services/agent_websocket_bridge.py:5', 'WebSocketNotifier', true, false, 3],
    ]);
    expect(result.metrics.implementations).toBe(3);
    expect(result.nearDuplicates.map((d) => [d.name, d.reasons, d.likely])).toEqual([
      ['WebSocketSender', ['similar body (100% of members shared)'], true],
    ]);
  });

  it('takes the census through absolute, relative, aliased, lazy and __init__ imports', async () => {
    const { concept: result } = await auditTree(tree, spec);
    const paths = result.importPaths.map((p) => [p.path, p.files, p.productionFiles, p.testFiles, p.definitions, p.via, p.canonical, p.deprecated]);
    expect(paths).toEqual([
      ['app.services.agent_websocket_bridge', 3, 2, 1, ['app/services/agent_websocket_bridge.py:5'], [], true, false],
      ['app.agents.supervisor', 1, 0, 1, ['app/agents/supervisor/websocket_notifier.py:1'], ['app/agents/supervisor/__init__.py'], false, false],
      ['app.agents.supervisor.websocket_notifier', 1, 1, 0, ['app/agents/supervisor/websocket_notifier.py:1'], [], false, true],
    ]);
    expect(result.importPaths[0]?.uses.map((u) => `${u.file}:${u.line} ${u.local}`)).toEqual([
      'app/agents/supervisor/execution_engine.py:3 bridge.WebSocketNotifier',
      'app/agents/supervisor/lazy.py:2 agent_websocket_bridge.WebSocketNotifier',
      'tests/test_engine.py:2 N',
    ]);
    expect(result.reExports.map((u) => `${u.file}:${u.line}`)).toEqual(['app/agents/supervisor/__init__.py:1']);
  });

  it('reports unresolved relative and first-party imports, not the stdlib', async () => {
    const { report } = await auditTree(tree, spec);
    expect(report.unresolvedImports.map((u) => [`${u.file}:${u.line}`, u.specifier, u.reason])).toEqual([
      ['app/agents/supervisor/execution_engine.py:4', '..gone', 'no module app.agents.gone in the tree'],
      ['app/agents/supervisor/execution_engine.py:5', 'app.services.nothing', 'package app is in the tree but has no module app.services.nothing'],
    ]);
  });

  it('finds calls that construct the concept outside the factory', async () => {
    const { concept: result } = await auditTree(tree, spec);
    expect(result.constructions.map((c) => [`${c.file}:${c.line}`, c.callee, c.enclosing, c.factory, c.role])).toEqual([
      ['app/agents/supervisor/execution_engine.py:9', 'WebSocketNotifier', 'run', null, 'production'],
      ['app/agents/supervisor/execution_engine.py:10', 'wn.WebSocketNotifier', 'run', null, 'production'],
      ['app/agents/supervisor/execution_engine.py:11', 'bridge.WebSocketNotifier', 'run', null, 'production'],
      ['app/services/agent_websocket_bridge.py:17', 'WebSocketNotifier', 'create_notifier', 'create_notifier', 'production'],
      ['tests/test_engine.py:5', 'N', 'test_x', null, 'test'],
    ]);
  });

  it('finds references to the deprecated module however they are written', async () => {
    const { concept: result } = await auditTree(tree, spec);
    expect(result.deprecatedReferences.map((r) => [`${r.file}:${r.line}`, r.specifier, r.names, r.role])).toEqual([
      ['app/agents/supervisor/__init__.py:1', '.websocket_notifier', ['WebSocketNotifier'], 'production'],
      ['app/agents/supervisor/execution_engine.py:1', 'app.agents.supervisor.websocket_notifier', ['WebSocketNotifier'], 'production'],
      ['app/agents/supervisor/execution_engine.py:2', '.', ['websocket_notifier'], 'production'],
    ]);
  });
});

describe('Python: a root that is itself a package', () => {
  const tree = fixtureTree({
    'pkg/__init__.py': 'from .core import Engine\n',
    'pkg/core.py': 'class Engine:\n    pass\n',
    'pkg/use.py': 'from pkg import Engine\nfrom pkg.core import Engine as E2\nimport pkg.core.installed_at_run_time\nimport pkg.nothing\n',
  });
  afterAll(() => tree.remove());

  it('resolves absolute imports from the directory above the package', async () => {
    const { concept: result } = await auditTree({ ...tree, root: `${tree.root}/pkg` }, concept('Engine'));
    expect(result.importPaths.map((p) => [p.path, p.definitions])).toEqual([
      ['pkg', ['core.py:1']],
      ['pkg.core', ['core.py:1']],
    ]);
    // Below a plain module (like os.path) is the module's business; below a package it is not.
    const { report } = await auditTree({ ...tree, root: `${tree.root}/pkg` }, concept('Engine'));
    expect(report.unresolvedImports.map((u) => `${u.file}:${u.line} ${u.specifier}`)).toEqual(['use.py:4 pkg.nothing']);
  });
});
