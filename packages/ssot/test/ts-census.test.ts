import { afterAll, describe, expect, it } from 'vitest';
import { auditTree, concept, fixtureTree } from './support/fixture-tree.js';

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, customConditions: ['source'],
    baseUrl: '.', paths: { '@app/*': ['src/*'] },
  },
});
const PACKAGE = JSON.stringify({
  name: 'wire', type: 'module',
  exports: { './server': { source: './src/server/index.ts', default: './dist/server/index.js' } },
});

describe('TS: import census', () => {
  const tree = fixtureTree({
    'tsconfig.json': `// comments are allowed\n${TSCONFIG}`,
    'package.json': PACKAGE,
    'src/transport/websocket-notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/server/index.ts': "export * from '../transport/websocket-notifier.js';\n",
    'src/server/named.ts': "export { WebSocketNotifier as Notifier } from '../transport/websocket-notifier.js';\n",
    'src/bridge/bridge.ts': "import { WebSocketNotifier } from '../transport/websocket-notifier.js';\nexport type B = WebSocketNotifier;\n",
    'src/engine/engine.ts': "import { WebSocketNotifier as WSN } from '@app/transport/websocket-notifier.js';\nexport type E = WSN;\n",
    'src/engine/runner.ts': "import * as transport from '../transport/websocket-notifier.js';\nexport type R = transport.WebSocketNotifier;\n",
    'src/engine/default.ts': "import type { WebSocketNotifier } from '../transport/websocket-notifier';\nexport type D = WebSocketNotifier;\n",
    'test/bridge.test.ts': "import { WebSocketNotifier } from 'wire/server';\nexport type T = WebSocketNotifier;\n",
    'lib/legacy.cjs': "const { WebSocketNotifier } = require('./impl.cjs');\nmodule.exports = { WebSocketNotifier };\n",
    'lib/impl.cjs': 'class WebSocketNotifier {}\nexports.WebSocketNotifier = WebSocketNotifier;\n',
  });
  afterAll(() => tree.remove());

  it('groups imports by path: relative ones by resolved module, aliases and package exports as written', async () => {
    const { concept: result } = await auditTree(tree, concept('WebSocketNotifier', { canonical: 'wire/server' }));
    const paths = result.importPaths.map((p) => ({
      path: p.path, specifiers: p.specifiers, target: p.target, definitions: p.definitions, via: p.via,
      files: p.files, production: p.productionFiles, test: p.testFiles, canonical: p.canonical,
      uses: p.uses.map((u) => `${u.file}:${u.line} ${u.local}`),
    }));
    expect(paths).toEqual([
      {
        path: 'src/transport/websocket-notifier', specifiers: ['../transport/websocket-notifier', '../transport/websocket-notifier.js'],
        target: 'src/transport/websocket-notifier.ts', definitions: ['src/transport/websocket-notifier.ts:1'], via: [],
        files: 3, production: 3, test: 0, canonical: false,
        uses: ['src/bridge/bridge.ts:1 WebSocketNotifier', 'src/engine/default.ts:1 WebSocketNotifier', 'src/engine/runner.ts:1 transport.WebSocketNotifier'],
      },
      {
        path: '@app/transport/websocket-notifier.js', specifiers: ['@app/transport/websocket-notifier.js'],
        target: 'src/transport/websocket-notifier.ts', definitions: ['src/transport/websocket-notifier.ts:1'], via: [],
        files: 1, production: 1, test: 0, canonical: false, uses: ['src/engine/engine.ts:1 WSN'],
      },
      {
        path: 'wire/server', specifiers: ['wire/server'], target: 'src/server/index.ts',
        definitions: ['src/transport/websocket-notifier.ts:1'], via: ['src/server/index.ts'],
        files: 1, production: 0, test: 1, canonical: true, uses: ['test/bridge.test.ts:1 WebSocketNotifier'],
      },
    ]);
    expect(result.metrics.importPaths).toBe(3);
    expect(result.metrics.filesReaching).toBe(5);
    expect(result.canonical).toEqual({
      module: 'wire/server', target: 'src/server/index.ts', definitions: ['src/transport/websocket-notifier.ts:1'], suggested: false,
    });
  });

  it('lists re-exports (barrels) apart from consumers', async () => {
    const { concept: result } = await auditTree(tree, concept('WebSocketNotifier'));
    expect(result.reExports.map((u) => `${u.file}:${u.line} ${u.kind} ${u.specifier}`)).toEqual([
      'lib/legacy.cjs:1 require ./impl.cjs',
      'src/server/named.ts:1 re-export ../transport/websocket-notifier.js',
    ]);
  });
});
