/** Self time per function and per file from a V8 `.cpuprofile` (what `node --cpu-prof` writes). */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Milliseconds the thread was idle (waiting for I/O). */
  idleMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  const src = path.search(/\/(src|bench|test)\//);
  return src >= 0 ? path.slice(src + 1) : path;
}

/** The package (node_modules), the source file, or the kind of V8 work a sample was in. */
function fileOf(frame: ProfileNode['callFrame']): string {
  const url = shortUrl(frame.url);
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  if (/^(@[^/]+\/)?[^/]+\//.test(url) && !/^(src|bench|test)\//.test(url)) {
    const parts = url.split('/');
    return url.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return url;
}

function top(map: Map<string, number>, total: number, count: number): SelfTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: us / total }));
}

export function summariseProfile(file: string, count = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const url = shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const owner = fileOf(frame);
    files.set(owner, (files.get(owner) ?? 0) + us);
  }
  return { totalMs: Math.round(busyUs / 1000), idleMs: Math.round(idleUs / 1000), functions: top(functions, busyUs, count), files: top(files, busyUs, count) };
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
  const rows = (items: SelfTime[]): string[] => items.map((item) => `| ${item.name.replace(/\|/g, '\\|')} | ${item.ms} | ${pct(item.share)} |`);
  return [
    `### ${title}`,
    '',
    `Busy ${summary.totalMs} ms, idle ${summary.idleMs} ms. Shares are of busy time.`,
    '',
    '| self time by file or package | ms | share |',
    '|---|--:|--:|',
    ...rows(summary.files),
    '',
    '| self time by function | ms | share |',
    '|---|--:|--:|',
    ...rows(summary.functions),
    '',
  ].join('\n');
}
