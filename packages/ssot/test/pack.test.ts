import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureTree } from './support/fixture-tree.js';
import { ssotFromSource } from './support/run-bin.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const WORKSPACE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  // No registry: every package comes from a local tarball, and --offline makes any attempt to
  // reach the network an error instead of a silent download.
  const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const result = spawnSync(command, [...args], { cwd, encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The packages ssot needs at run time, as installed in this workspace: its dependencies, theirs,
 * and the optional platform binaries that are present (the one for this machine).
 */
function runtimeClosure(): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const dir = join(WORKSPACE_MODULES, name);
    if (seen.has(name) || !existsSync(join(dir, 'package.json'))) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) visit(dependency);
  };
  const own = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const name of Object.keys(own.dependencies)) visit(name);
  return [...seen];
}

describe('the packed ssot, installed on its own', () => {
  const scratch = fixtureTree({
    'tree/src/legacy.ts': 'export class WebSocketNotifier {}\n',
    'tree/src/index.ts': "export { WebSocketNotifier } from './legacy.js';\n",
    'tree/app/__init__.py': '',
    'tree/app/notifier.py': 'class WebSocketNotifier:\n    pass\n',
  });
  const project = join(scratch.root, 'project');
  const tarballs = join(scratch.root, 'tarballs');

  beforeAll(() => {
    mkdirSync(project);
    mkdirSync(tarballs);
    // `npm pack` runs prepack, which builds dist/ from the sources.
    run(NPM, ['pack', '--pack-destination', tarballs], PACKAGE);
    run(NPM, ['pack', '--ignore-scripts', '--pack-destination', tarballs, ...runtimeClosure().map((name) => join(WORKSPACE_MODULES, name))], scratch.root);
    const files = readdirSync(tarballs).map((file) => join(tarballs, file));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
    // --legacy-peer-deps: @ast-grep/lang-python's peer tree-sitter-cli only builds grammars.
    run(NPM, ['install', '--offline', '--legacy-peer-deps', '--no-package-lock', ...files], project);
  }, 300_000);
  afterAll(() => scratch.remove());

  it('links the ssot bin, which runs from dist/ without tsx or the sources', () => {
    expect(existsSync(join(project, 'node_modules/ssot/dist/cli.js'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/ssot/src'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
    const version = run(NPM, ['exec', '--offline', '--', 'ssot', '--version'], project);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')).version);
  });

  it('audits a TS and Python tree', () => {
    const audit = run(join(project, 'node_modules/.bin/ssot'), ['audit', join(scratch.root, 'tree'), '--concept', 'WebSocketNotifier', '--format', 'json'], project);
    const report = JSON.parse(audit.stdout) as { concepts: { metrics: { implementations: number; importPaths: number } }[] };
    expect(report.concepts[0]?.metrics).toMatchObject({ implementations: 2 });
  });

  it('is importable as a library, by plain Node', () => {
    const script = "import('ssot').then((m) => console.log(typeof m.audit, typeof m.fixImports, import.meta.resolve('ssot')))";
    const imported = run(process.execPath, ['--input-type=module', '-e', script], project);
    expect(imported.stdout.trim()).toBe(`function function file://${join(project, 'node_modules/ssot/dist/index.js')}`);
  });
});

describe('npx ssot in a fresh clone', () => {
  it('the bin npm links is committed source, not build output, and runs without dist/', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = manifest.bin['ssot'] ?? '';
    // npm links bins at install time and skips a missing file: a fresh clone has no dist/ yet.
    expect(bin.startsWith('./dist/') || bin.startsWith('dist/')).toBe(false);
    expect(spawnSync('git', ['ls-files', '--error-unmatch', bin], { cwd: PACKAGE }).status).toBe(0);
    const result = ssotFromSource(['--version'], PACKAGE);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
