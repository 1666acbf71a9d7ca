import { describe, expect, it } from 'vitest';
import { compileGlobs } from '../src/files/glob.js';
import { fileRole } from '../src/files/file-role.js';
import { parseJsonc } from '../src/resolve/jsonc.js';
import { moduleBaseName, prefilterTerms } from '../src/analysis/prefilter.js';
import { concept } from './support/fixture-tree.js';

describe('globs', () => {
  it('match names at any depth, anchored paths, and everything below a directory', () => {
    const match = compileGlobs(['fixtures', 'src/gen/**', '*.min.js']);
    expect(['a/fixtures/x.ts', 'fixtures', 'src/gen/a/b.ts', 'lib/x.min.js'].map(match)).toEqual([true, true, true, true]);
    expect(['src/generated.ts', 'lib/x.js', 'xfixtures/a.ts'].map(match)).toEqual([false, false, false]);
  });
});

describe('file roles', () => {
  it('tell tests from production by directory and name', () => {
    const none = compileGlobs([]);
    const roles = ['test/a.ts', 'src/a.test.ts', 'src/a.spec.tsx', 'pkg/tests/x.py', 'pkg/test_x.py', 'pkg/x_test.py', 'conftest.py', 'src/a.ts', 'pkg/latest.py'];
    expect(roles.map((path) => fileRole(path, none))).toEqual(['test', 'test', 'test', 'test', 'test', 'test', 'test', 'production', 'production']);
    expect(fileRole('qa/check.ts', compileGlobs(['qa/**']))).toBe('test');
  });
});

describe('tsconfig JSONC', () => {
  it('ignores comments and trailing commas but not their look-alikes inside strings', () => {
    const text = '{\n  // comment\n  "a": "http://x", /* block */\n  "b": [1, 2,],\n}\n';
    expect(parseJsonc(text)).toEqual({ a: 'http://x', b: [1, 2] });
  });
});

describe('prefilter terms', () => {
  it('are the name, its role word and the deprecated modules\' base names', () => {
    const spec = concept('WebSocketNotifier', { deprecated: ['app/agents/websocket_notifier.py', 'app.old.notifier_v1', 'src/legacy/index.ts'] });
    expect(prefilterTerms([spec])).toEqual({ primary: ['WebSocketNotifier', 'websocket_notifier', 'notifier_v1', 'legacy'], secondary: ['Notifier'] });
    expect(moduleBaseName('pkg/__init__.py')).toBe('pkg');
  });
});
