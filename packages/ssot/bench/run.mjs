#!/usr/bin/env node
// Benchmark: a cold `ssot audit` (a fresh process each run) against `ast-grep scan` running an
// equivalent rule set (definitions, imports and constructions of the concept) on the same real
// trees, alternating the two, median of three. Wall time and peak RSS come from /usr/bin/time.
// Usage: npm run bench -w packages/ssot   (builds first)   or   node bench/run.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
const REPO = dirname(dirname(PACKAGE));
const CLI = join(PACKAGE, 'dist', 'cli.js');
const AST_GREP = join(REPO, 'node_modules', '.bin', 'ast-grep');
const TIME = '/usr/bin/time';
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;

function pythonStdlib() {
  const found = readdirSync('/usr/lib').filter((name) => /^python3\.\d+$/.test(name)).sort();
  return found.length > 0 ? join('/usr/lib', found.at(-1)) : null;
}

function pyenvStdlib() {
  const base = '/root/.pyenv/versions';
  if (!existsSync(base)) return null;
  for (const version of readdirSync(base).sort().reverse()) {
    const lib = join(base, version, 'lib');
    if (!existsSync(lib)) continue;
    const python = readdirSync(lib).find((name) => /^python3\.\d+$/.test(name));
    if (python !== undefined) return join(lib, python);
  }
  return null;
}

const TREES = [
  { label: 'Python stdlib (Debian)', dir: pythonStdlib(), concept: 'OrderedDict' },
  { label: 'Python stdlib + tests (pyenv)', dir: pyenvStdlib(), concept: 'OrderedDict' },
  { label: 'node_modules (TS/JS)', dir: join(REPO, 'node_modules'), concept: 'ZodError' },
].filter((tree) => tree.dir !== null && existsSync(tree.dir));

/** The same questions ssot answers, as ast-grep rules: definitions, imports and constructions of NAME. */
function ruleSet(name) {
  const exact = `^${name}$`;
  const callee = `(^|\\.)${name}$`;
  const ts = (language) => [
    `id: definition-${language}\nlanguage: ${language}\nseverity: info\nmessage: definition\nrule:\n  any:\n` +
      ['class_declaration', 'function_declaration', 'variable_declarator'].map((kind) => `    - kind: ${kind}\n      has: { field: name, regex: '${exact}' }\n`).join(''),
    `id: import-${language}\nlanguage: ${language}\nseverity: info\nmessage: import\nrule:\n  any:\n    - kind: import_statement\n      has: { stopBy: end, kind: identifier, regex: '${exact}' }\n    - kind: export_statement\n      has: { stopBy: end, kind: identifier, regex: '${exact}' }\n    - kind: call_expression\n      all:\n        - has: { field: function, regex: '^require$' }\n        - inside: { stopBy: end, kind: variable_declarator, has: { stopBy: end, regex: '${exact}' } }\n`,
    `id: construction-${language}\nlanguage: ${language}\nseverity: info\nmessage: construction\nrule:\n  kind: new_expression\n  has: { field: constructor, regex: '${callee}' }\n`,
  ];
  const python = [
    `id: definition-python\nlanguage: python\nseverity: info\nmessage: definition\nrule:\n  any:\n    - kind: class_definition\n      has: { field: name, regex: '${exact}' }\n    - kind: function_definition\n      has: { field: name, regex: '${exact}' }\n    - kind: assignment\n      has: { field: left, regex: '${exact}' }\n`,
    `id: import-python\nlanguage: python\nseverity: info\nmessage: import\nrule:\n  any:\n    - kind: import_from_statement\n      has: { stopBy: end, kind: identifier, regex: '${exact}' }\n    - kind: import_statement\n`,
    `id: construction-python\nlanguage: python\nseverity: info\nmessage: construction\nrule:\n  kind: call\n  has: { field: function, regex: '${callee}' }\n`,
  ];
  return [...ts('typescript'), ...ts('tsx'), ...ts('javascript'), ...python];
}

function astGrepProject(name) {
  const dir = mkdtempSync(join(tmpdir(), 'ssot-bench-sg-'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'sgconfig.yml'), 'ruleDirs: [rules]\n');
  ruleSet(name).forEach((rule, index) => writeFileSync(join(dir, 'rules', `rule-${index}.yml`), rule));
  return dir;
}

/** Runs a command under /usr/bin/time; returns wall seconds, peak RSS (MiB) and its output. */
function measure(command, args) {
  const stats = join(tmpdir(), `ssot-bench-time-${process.pid}`);
  const started = performance.now();
  const result = spawnSync(TIME, ['-f', '%e %M', '-o', stats, command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - started) / 1000;
  const [, maxKb] = readFileSync(stats, 'utf8').trim().split('\n').at(-1).split(' ');
  rmSync(stats, { force: true });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  return { wall, rssMiB: Number(maxKb) / 1024, stdout: result.stdout, stderr: result.stderr };
}

function ssotArgs(tree, scope) {
  return [CLI, 'audit', tree.dir, '--concept', tree.concept, '--no-default-excludes', '--scope', scope, '--format', 'json', '--no-progress'];
}

function astGrepArgs(tree, project) {
  const noIgnore = ['hidden', 'dot', 'exclude', 'global', 'parent', 'vcs'].flatMap((kind) => ['--no-ignore', kind]);
  return ['scan', '-c', join(project, 'sgconfig.yml'), '--json=stream', '--inspect', 'summary', ...noIgnore, tree.dir];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function benchTree(tree) {
  const project = astGrepProject(tree.concept);
  const tools = {
    'ssot audit': () => measure(process.execPath, ssotArgs(tree, 'concept')),
    'ssot audit --scope tree': () => measure(process.execPath, ssotArgs(tree, 'tree')),
    'ast-grep scan': () => measure(AST_GREP, astGrepArgs(tree, project)),
  };
  // One untimed pass each so every tool meets the same warm page cache.
  const warm = { ssot: tools['ssot audit'](), sg: tools['ast-grep scan']() };
  const report = JSON.parse(warm.ssot.stdout);
  const sgFiles = Number(/scannedFileCount=(\d+)/.exec(warm.sg.stderr)?.[1] ?? NaN);
  const samples = Object.fromEntries(Object.keys(tools).map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    const order = run % 2 === 0 ? Object.keys(tools) : Object.keys(tools).reverse();
    for (const name of order) samples[name].push(tools[name]());
  }
  rmSync(project, { recursive: true, force: true });
  const files = report.files.total;
  const rows = Object.entries(samples).map(([tool, list]) => ({
    tool,
    wallSeconds: median(list.map((sample) => sample.wall)),
    peakRssMiB: median(list.map((sample) => sample.rssMiB)),
    walls: list.map((sample) => Number(sample.wall.toFixed(3))),
  }));
  const sg = rows.find((row) => row.tool === 'ast-grep scan').wallSeconds;
  return {
    tree: tree.label, dir: tree.dir, concept: tree.concept, files, astGrepFiles: sgFiles, parsedByAudit: report.files.parsed,
    metrics: report.concepts[0].metrics,
    rows: rows.map((row) => ({ ...row, filesPerSecond: files / row.wallSeconds, vsAstGrep: row.wallSeconds / sg })),
  };
}

const loadBefore = loadavg()[0];
const results = TREES.map(benchTree);
const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} (other work on the machine slows both tools alike); median of ${runs} cold runs, alternating order.`,
  '',
  '| Tree | Concept | Files (ssot / ast-grep) | Tool | Wall (s) | Files/s | Peak RSS (MiB) | × ast-grep |',
  '|---|---|---|---|---|---|---|---|',
];
for (const result of results) {
  for (const row of result.rows) {
    lines.push(`| ${result.tree} | ${result.concept} | ${result.files} / ${result.astGrepFiles} | ${row.tool} | ${row.wallSeconds.toFixed(2)} | ${Math.round(row.filesPerSecond)} | ${Math.round(row.peakRssMiB)} | ${row.vsAstGrep.toFixed(2)} |`);
  }
}
const table = lines.join('\n');
console.log(table);
mkdirSync(join(PACKAGE, 'bench', 'results'), { recursive: true });
const out = join(PACKAGE, 'bench', 'results', 'latest.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: [loadBefore, loadavg()[0]], runs, results }, null, 2)}\n`);
writeFileSync(join(PACKAGE, 'bench', 'results', 'latest.md'), `${table}\n`);
console.error(`\nwritten: ${out}`);
