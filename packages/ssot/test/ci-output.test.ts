import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args.js';
import { auditCommand } from '../src/cli/audit-command.js';
import { fixtureTree, type FixtureTree } from './support/fixture-tree.js';

interface AjvLike {
  validate(schema: object, data: unknown): boolean;
  errorsText(): string;
}
// ajv 6 (draft-07), CommonJS.
const Ajv = createRequire(import.meta.url)('ajv') as new (options: object) => AjvLike;
const SCHEMA = JSON.parse(readFileSync(new URL('./schemas/sarif-2.1.0-subset.json', import.meta.url), 'utf8')) as object;

async function audit(tree: FixtureTree, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { cwd: tree.root, stdout: { write: (text: string) => ((stdout += text), true) }, stderr: { write: (text: string) => ((stderr += text), true) } };
  const code = await auditCommand(parseCliArgs(['audit', tree.root, '--concept', 'WebSocketNotifier', '--no-progress', ...args]), io);
  return { code, stdout, stderr };
}

interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
  partialFingerprints: Record<string, string>;
  baselineState?: string;
}
interface Sarif {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}

const where = (result: SarifResult): string => `${result.locations[0]?.physicalLocation.artifactLocation.uri ?? ''}:${result.locations[0]?.physicalLocation.region.startLine ?? 0}`;
const fingerprint = (result: SarifResult): string => result.partialFingerprints['ssotFinding/v1'] ?? '';

function tree(): FixtureTree {
  return fixtureTree({
    'src/transport/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n}\n',
    'src/legacy/notifier.ts': 'export class WebSocketNotifier {\n  send(): void {}\n}\n',
    'src/a.ts': "import { WebSocketNotifier } from './legacy/notifier.js';\nexport const a = new WebSocketNotifier();\n",
    'src/b.ts': "import { WebSocketNotifier } from './transport/notifier.js';\nexport const b = 1;\n",
    'src/c.ts': "import { a } from './a.js';\nexport const c = a;\n",
    'app/__init__.py': '',
    'app/notifier.py': 'class WebSocketNotifier:\n    pass\n',
    'app/main.py': 'from app.notifier import WebSocketNotifier\nfrom app.gone import nothing\n',
  });
}

describe('SARIF 2.1.0', () => {
  const fixture = tree();
  afterAll(() => fixture.remove());

  it('validates against the schema, with rules, locations and fingerprints that survive line moves', async () => {
    const first = await audit(fixture, ['--canonical', 'src/transport/notifier.ts', '--format', 'sarif']);
    const sarif = JSON.parse(first.stdout) as Sarif;
    const ajv = new Ajv({ allErrors: true });
    expect(ajv.validate(SCHEMA, sarif), ajv.errorsText()).toBe(true);
    const run = sarif.runs[0];
    const results = run?.results ?? [];
    expect(results.map((r) => `${r.ruleId} ${r.level} ${where(r)}`).sort()).toEqual([
      'ssot/competing-implementation error app/notifier.py:1',
      'ssot/competing-implementation error src/legacy/notifier.ts:1',
      'ssot/non-canonical-import warning app/main.py:1',
      'ssot/non-canonical-import warning src/a.ts:1',
      'ssot/unresolved-import error app/main.py:2',
    ]);
    const ruleIds = run?.tool.driver.rules.map((rule) => rule.id) ?? [];
    for (const result of results) expect(ruleIds).toContain(result.ruleId);
    expect(new Set(results.map(fingerprint)).size).toBe(results.length);
    // An unrelated edit moves every line of src/a.ts and app/main.py down.
    fixture.write('src/a.ts', `// moved\n\n${fixture.read('src/a.ts')}export const unrelated = 2;\n`);
    fixture.write('app/main.py', `import os\n\n${fixture.read('app/main.py')}`);
    const again = (JSON.parse((await audit(fixture, ['--canonical', 'src/transport/notifier.ts', '--format', 'sarif'])).stdout) as Sarif).runs[0]?.results ?? [];
    expect(again.map(where).sort()).toEqual(['app/main.py:3', 'app/main.py:4', 'app/notifier.py:1', 'src/a.ts:3', 'src/legacy/notifier.ts:1']);
    expect(new Set(again.map(fingerprint))).toEqual(new Set(results.map(fingerprint)));
  });

  it('--format github prints workflow annotations', async () => {
    const result = await audit(fixture, ['--canonical', 'src/transport/notifier.ts', '--format', 'github']);
    expect(result.stdout.split('\n')).toContain(
      "::error file=app/main.py,line=4,title=ssot/unresolved-import::'app.gone' resolves to no module: package app is in the tree but has no module app.gone",
    );
    expect(result.stdout.split('\n').filter((line) => line.length > 0).every((line) => /^::(error|warning|notice) file=[^,]+,line=\d+,title=[^:]+::/.test(line))).toBe(true);
  });
});

describe('baseline ratchet', () => {
  const fixture = tree();
  afterAll(() => fixture.remove());
  const baseline = (): string => join(fixture.root, 'ssot-baseline.json');
  const canonical = ['--canonical', 'src/transport/notifier.ts', '--baseline', 'ssot-baseline.json', '--format', 'github'];

  it('fails only on new findings, reports fixed ones, and --update-baseline only shrinks it', async () => {
    await expect(audit(fixture, canonical)).rejects.toMatchObject({ code: 'SSOT_BASELINE_INVALID' });
    const created = await audit(fixture, [...canonical, '--update-baseline']);
    expect(created.code).toBe(0);
    const entries = (): string[] => (JSON.parse(readFileSync(baseline(), 'utf8')) as { findings: { file: string; ruleId: string }[] }).findings.map((f) => `${f.ruleId} ${f.file}`);
    expect(entries()).toHaveLength(5);
    // Unrelated edits and line moves: still nothing new.
    fixture.write('src/a.ts', `// header\n${fixture.read('src/a.ts')}`);
    const moved = await audit(fixture, canonical);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toBe('');
    expect(moved.stderr).toContain('baseline: 0 new, 0 fixed, 5 unchanged');
    // A new non-canonical import fails the run, and only it is annotated.
    fixture.write('test/new.test.ts', "import { WebSocketNotifier } from '../src/legacy/notifier.js';\nexport const t: WebSocketNotifier | null = null;\n");
    // One fixed: app/main.py no longer imports a missing module.
    fixture.write('app/main.py', 'from app.notifier import WebSocketNotifier\n');
    const worse = await audit(fixture, canonical);
    expect(worse.code).toBe(1);
    expect(worse.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^::warning file=test\/new\.test\.ts,line=1,title=ssot\/non-canonical-import/)]);
    expect(worse.stderr).toContain('baseline: 1 new, 1 fixed, 4 unchanged');
    expect(worse.stderr).toContain('fixed: app/main.py: ssot/unresolved-import');
    // --update-baseline drops the fixed entry and does not accept the new finding.
    const updated = await audit(fixture, [...canonical, '--update-baseline']);
    expect(updated.code).toBe(1);
    expect(entries()).toHaveLength(4);
    expect(entries()).not.toContain('ssot/non-canonical-import test/new.test.ts');
    expect(entries()).not.toContain('ssot/unresolved-import app/main.py');
  });
});

describe('--changed-since', () => {
  const fixture = tree();
  afterAll(() => fixture.remove());
  const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: fixture.root, encoding: 'utf8' });

  it('reports findings in changed files and in the files whose imports reach them', async () => {
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'base');
    fixture.write('src/legacy/notifier.ts', 'export class WebSocketNotifier {\n  send(): void {}\n  close(): void {}\n}\n');
    const result = await audit(fixture, ['--canonical', 'src/transport/notifier.ts', '--format', 'sarif', '--changed-since', 'HEAD']);
    const results = (JSON.parse(result.stdout) as Sarif).runs[0]?.results ?? [];
    // legacy/notifier.ts changed; a.ts imports it (c.ts imports a.ts but has no finding); app/ is untouched.
    expect(results.map((r) => `${r.ruleId} ${where(r)}`).sort()).toEqual([
      'ssot/api-drift src/legacy/notifier.ts:1',
      'ssot/competing-implementation src/legacy/notifier.ts:1',
      'ssot/non-canonical-import src/a.ts:1',
    ]);
    git('commit', '-qam', 'ts change');
    fixture.write('app/notifier.py', 'class WebSocketNotifier:\n    def send(self):\n        pass\n');
    const python = await audit(fixture, ['--canonical', 'src/transport/notifier.ts', '--format', 'sarif', '--changed-since', 'HEAD']);
    expect(((JSON.parse(python.stdout) as Sarif).runs[0]?.results ?? []).map((r) => `${r.ruleId} ${where(r)}`).sort()).toEqual([
      'ssot/competing-implementation app/notifier.py:1',
      'ssot/non-canonical-import app/main.py:1',
      'ssot/unresolved-import app/main.py:2',
    ]);
    await expect(audit(fixture, ['--changed-since', 'no-such-revision', '--format', 'sarif'])).rejects.toMatchObject({ code: 'SSOT_GIT_FAILED' });
  });
});
