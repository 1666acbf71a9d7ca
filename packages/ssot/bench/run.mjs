#!/usr/bin/env node
// Benchmark: a cold `ssot audit` (a fresh process each run) against `ast-grep scan` running an
// equivalent rule set (definitions, imports and constructions of the concept) on the same real
// trees, alternating the two, median of three. Wall time, CPU time and peak RSS come from
// /usr/bin/time. Files/s is files considered per wall second: every file the tool read (ssot:
// `files.total`, each file read, parsed only if it can matter, or every file with --scope tree;
// ast-grep: its `scannedFileCount`, each file read and parsed). The machine is shared, so the
// 1-minute load average is printed before and after every run: the table shows its range per row.
// Usage: npm run bench -w packages/ssot   (builds first)   or   node bench/run.mjs [--runs N]
//        [--cli PATH --name NAME]   (another build of ssot, e.g. an older commit's dist/cli.js;
//        results go to bench/results/NAME.{json,md} instead of latest)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = dirname(dirname(fileURLToPath(import.meta.url)));
const REPO = dirname(dirname(PACKAGE));
const option = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const CLI = option('--cli') ?? join(PACKAGE, 'dist', 'cli.js');
const NAME = option('--name') ?? 'latest';
const AST_GREP = join(REPO, 'node_modules', '.bin', 'ast-grep');
const TIME = '/usr/bin/time';
const runs = Number(option('--runs')) || 3;

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
  { label: (dir) => `${basename(dir)} stdlib (Debian)`, dir: pythonStdlib(), concept: 'OrderedDict' },
  { label: (dir) => `${basename(dir)} stdlib + tests (pyenv)`, dir: pyenvStdlib(), concept: 'OrderedDict' },
  { label: 'node_modules (TS/JS)', dir: join(REPO, 'node_modules'), concept: 'ZodError' },
]
  .filter((tree) => tree.dir !== null && existsSync(tree.dir))
  .map((tree) => ({ ...tree, label: typeof tree.label === 'function' ? tree.label(tree.dir) : tree.label }));

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

const load = () => loadavg()[0];
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

/** Runs a command under /usr/bin/time; returns wall and CPU seconds, peak RSS (MiB), the load around it and its output. */
function measure(command, args) {
  const stats = join(tmpdir(), `ssot-bench-time-${process.pid}`);
  const loadBefore = load();
  const started = performance.now();
  const result = spawnSync(TIME, ['-f', '%e %M %U %S', '-o', stats, command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - started) / 1000;
  const [, maxKb, user, system] = readFileSync(stats, 'utf8').trim().split('\n').at(-1).split(' ');
  rmSync(stats, { force: true });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  return { wall, cpu: Number(user) + Number(system), rssMiB: Number(maxKb) / 1024, load: [loadBefore, load()], stdout: result.stdout, stderr: result.stderr };
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
  const treeReport = JSON.parse(tools['ssot audit --scope tree']().stdout);
  const samples = Object.fromEntries(Object.keys(tools).map((name) => [name, []]));
  console.error(`${tree.label}: ${uptime()}`);
  for (let run = 0; run < runs; run += 1) {
    const order = run % 2 === 0 ? Object.keys(tools) : Object.keys(tools).reverse();
    for (const name of order) {
      const sample = tools[name]();
      samples[name].push(sample);
      console.error(`  ${name}: ${sample.wall.toFixed(2)} s, load ${sample.load[0].toFixed(2)} → ${sample.load[1].toFixed(2)}`);
    }
  }
  rmSync(project, { recursive: true, force: true });
  const files = { 'ssot audit': report.files.total, 'ssot audit --scope tree': treeReport.files.total, 'ast-grep scan': sgFiles };
  const parsed = { 'ssot audit': report.files.parsed, 'ssot audit --scope tree': treeReport.files.parsed, 'ast-grep scan': sgFiles };
  const rows = Object.entries(samples).map(([tool, list]) => ({
    tool,
    files: files[tool],
    parsed: parsed[tool],
    wallSeconds: median(list.map((sample) => sample.wall)),
    cpuSeconds: median(list.map((sample) => sample.cpu)),
    peakRssMiB: median(list.map((sample) => sample.rssMiB)),
    walls: list.map((sample) => Number(sample.wall.toFixed(3))),
    loadRange: [Math.min(...list.flatMap((sample) => sample.load)), Math.max(...list.flatMap((sample) => sample.load))],
  }));
  const sg = rows.find((row) => row.tool === 'ast-grep scan').wallSeconds;
  console.error(`${tree.label}: done, ${uptime()}`);
  return {
    tree: tree.label, dir: tree.dir, concept: tree.concept,
    metrics: report.concepts[0].metrics,
    rows: rows.map((row) => ({ ...row, filesPerSecond: row.files / row.wallSeconds, vsAstGrep: row.wallSeconds / sg })),
  };
}

const uptimeBefore = uptime();
const loadBefore = load();
const results = TREES.map(benchTree);
const uptimeAfter = uptime();
const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; median of ${runs} cold runs, alternating order.`,
  `Before: \`${uptimeBefore}\``,
  `After:  \`${uptimeAfter}\``,
  '',
  '| Tree | Concept | Tool | Files read | Parsed | Wall (s) | CPU (s) | Files/s | Peak RSS (MiB) | × ast-grep | Load avg (1 min) |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const result of results) {
  for (const row of result.rows) {
    lines.push(`| ${result.tree} | ${result.concept} | ${row.tool} | ${row.files} | ${row.parsed} | ${row.wallSeconds.toFixed(2)} | ${row.cpuSeconds.toFixed(2)} | ${Math.round(row.filesPerSecond)} | ${Math.round(row.peakRssMiB)} | ${row.vsAstGrep.toFixed(2)} | ${row.loadRange[0].toFixed(1)}–${row.loadRange[1].toFixed(1)} |`);
  }
}
const table = lines.join('\n');
console.log(table);
mkdirSync(join(PACKAGE, 'bench', 'results'), { recursive: true });
const out = join(PACKAGE, 'bench', 'results', `${NAME}.json`);
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: [loadBefore, load()], uptime: [uptimeBefore, uptimeAfter], runs, results }, null, 2)}\n`);
writeFileSync(join(PACKAGE, 'bench', 'results', `${NAME}.md`), `${table}\n`);
console.error(`\nwritten: ${out}`);
