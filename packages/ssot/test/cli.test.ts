import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from 'ssot';
import { fixtureTree } from './support/fixture-tree.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function ssot(args: readonly string[], cwd = PACKAGE, env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the ssot binary', () => {
  const tree = fixtureTree({
    'src/transport/websocket-notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/legacy/websocket-notifier.ts': 'export class WebSocketNotifier {}\n',
    'src/index.ts': "export { WebSocketNotifier } from './transport/websocket-notifier.js';\n",
    'src/a.ts': "import { WebSocketNotifier } from './legacy/websocket-notifier.js';\nexport const a = new WebSocketNotifier();\n",
    'src/b.ts': "import { WebSocketNotifier } from './index.js';\nexport const b = new WebSocketNotifier();\n",
    'ssot.config.json': JSON.stringify({
      concepts: [{ name: 'WebSocketNotifier', canonical: 'src/index.ts', limits: { implementations: 1, importPaths: 1, constructionsOutsideFactory: 0 } }],
    }),
  });

  beforeAll(() => {
    // The binary is what users run: build it from source with the package's own tsc config.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PACKAGE, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  }, 180_000);
  afterAll(() => tree.remove());

  it('audits --concept with its settings and limits from the config, and prints JSON', () => {
    const result = ssot(['audit', tree.root, '--concept', 'WebSocketNotifier', '--format', 'json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as AuditReport;
    expect(report.concepts[0]?.metrics).toMatchObject({ implementations: 2, importPaths: 2, constructions: 2 });
    expect(report.concepts[0]?.canonical?.module).toBe('src/index.ts');
  });

  it('reads ssot.config.json from the audited directory and exits 1 when a limit is exceeded', () => {
    const result = ssot(['audit', tree.root]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('# SSOT audit: `WebSocketNotifier`');
    expect(result.stdout).toContain('## Success metrics');
    expect(result.stderr).toBe('ssot: WebSocketNotifier: limit exceeded: implementations 2 > 1, importPaths 2 > 1, constructionsOutsideFactory 2 > 0\n');
  });

  it('exits 1 on a command-line limit, 0 when the limits hold', () => {
    expect(ssot(['audit', tree.root, '--concept', 'WebSocketNotifier', '--max-import-paths', '1', '--format', 'json']).code).toBe(1);
    expect(ssot(['audit', tree.root, '--concept', 'WebSocketNotifier', '--max-import-paths', '2', '--max-implementations', '2', '--max-outside-factory', '2', '--format', 'json']).code).toBe(0);
  });

  it('writes the report to --out', () => {
    const result = ssot(['audit', tree.root, '--concept', 'WebSocketNotifier', '--max-implementations', '9', '--max-import-paths', '9', '--max-outside-factory', '9', '--out', `${tree.root}/report.md`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`ssot: report written to ${tree.root}/report.md\n`);
    expect(tree.read('report.md')).toContain('## Files requiring immediate attention');
  });

  it('exits 2 on usage and config errors, with a stable code', () => {
    const unknown = ssot(['audit', tree.root, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/\[SSOT_USAGE\]\n$/);
    const noConcept = ssot(['audit', PACKAGE]);
    expect(noConcept.code).toBe(2);
    expect(noConcept.stderr).toBe('ssot: --concept NAME is required (or a ssot.config.json listing concepts) [SSOT_USAGE]\n');
    const badLimit = ssot(['audit', tree.root, '--concept', 'X', '--max-import-paths', 'many']);
    expect(badLimit.code).toBe(2);
    tree.write('bad.json', '{"concepts": [{"name": "X", "limits": {"paths": 1}}]}');
    const badConfig = ssot(['audit', tree.root, '--config', `${tree.root}/bad.json`]);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('unknown limit `paths`');
    expect(ssot(['audit', `${tree.root}/nope`, '--concept', 'X']).code).toBe(2);
  });

  it('fixes: a diff on a dry run, then before/after metrics with --write', () => {
    const dry = ssot(['fix', tree.root, '--concept', 'WebSocketNotifier', '--canonical', 'src/index.ts']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe([
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1,2 +1,2 @@',
      "-import { WebSocketNotifier } from './legacy/websocket-notifier.js';",
      "+import { WebSocketNotifier } from './index.js';",
      ' export const a = new WebSocketNotifier();',
      '',
    ].join('\n'));
    expect(dry.stderr).toBe('ssot fix: would rewrite 1 imports in 1 files to src/index.ts (dry run; --write to apply)\n');
    const written = ssot(['fix', tree.root, '--concept', 'WebSocketNotifier', '--canonical', 'src/index.ts', '--write']);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain('| Import paths | 2 | 1 |');
    expect(tree.read('src/a.ts')).toBe("import { WebSocketNotifier } from './index.js';\nexport const a = new WebSocketNotifier();\n");
  });

  it('prints the same JSON with the main thread alone (SSOT_WORKERS=0) and with worker threads (--workers 2)', () => {
    const args = ['audit', tree.root, '--concept', 'WebSocketNotifier', '--format', 'json'];
    const withoutTime = (text: string): string => text.replace(/"durationMs": \d+/, '"durationMs": 0');
    for (const scope of ['concept', 'tree']) {
      const alone = ssot([...args, '--scope', scope], PACKAGE, { ...process.env, SSOT_WORKERS: '0' });
      const threaded = ssot([...args, '--scope', scope, '--workers', '2']);
      expect(alone.code).toBe(1);
      expect(threaded.code).toBe(1);
      expect(withoutTime(threaded.stdout)).toBe(withoutTime(alone.stdout));
    }
    const bad = ssot(args, PACKAGE, { ...process.env, SSOT_WORKERS: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("ssot: SSOT_WORKERS needs a non-negative integer, not 'lots' [SSOT_USAGE]\n");
  });

  it('prints usage and version', () => {
    expect(ssot(['--help']).stdout).toContain('Usage:');
    expect(ssot(['--version']).stdout).toBe('0.1.0\n');
  });
});
