import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJson, renderMarkdown } from 'ssot';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

const EXPECTED = new URL('./expected/tracker-report.md', import.meta.url);

describe('the Markdown report', () => {
  const tree = fixtureTree({
    'app/__init__.py': '',
    'app/agents/__init__.py': '',
    'app/agents/supervisor/__init__.py': 'from .websocket_notifier import WebSocketNotifier\n',
    'app/agents/supervisor/websocket_notifier.py': 'class WebSocketNotifier:\n    def send(self): pass\n',
    'app/services/__init__.py': '',
    'app/services/agent_websocket_bridge.py': 'class WebSocketNotifier:\n    def send(self): pass\n\n\ndef create_notifier():\n    return WebSocketNotifier()\n',
    'app/agents/supervisor/execution_engine.py': 'from app.agents.supervisor.websocket_notifier import WebSocketNotifier\nfrom app.gone import X\n\nnotifier = WebSocketNotifier()\n',
    'app/agents/supervisor/agent_instance_factory.py': 'from app.services.agent_websocket_bridge import WebSocketNotifier\n',
    'tests/test_notifier.py': 'from app.agents.supervisor import WebSocketNotifier\n\n\ndef test_send():\n    WebSocketNotifier().send()\n',
  });
  afterAll(() => tree.remove());

  it('follows the tracker: violations by severity, files by priority, success metrics', async () => {
    const spec = concept('WebSocketNotifier', {
      canonical: 'app.services.agent_websocket_bridge',
      factories: ['create_notifier'],
      deprecated: ['app.agents.supervisor.websocket_notifier'],
      limits: { implementations: 1, importPaths: 1, constructionsOutsideFactory: 0 },
    });
    const { report } = await auditTree(tree, spec);
    const stable = { ...report, root: '/tree', durationMs: 0 };
    expect(renderMarkdown(stable)).toBe(readFileSync(EXPECTED, 'utf8'));
    expect(JSON.parse(renderJson(stable))).toEqual(stable);
  });
});
