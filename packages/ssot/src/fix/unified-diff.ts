type Op = { readonly type: ' ' | '-' | '+'; readonly line: string };

const CONTEXT = 3;

/** A `diff -u` style patch between two versions of one file; empty when they are equal. */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const ops = diffLines(lines(before), lines(after));
  const hunks = groupHunks(ops);
  return [`--- a/${path}`, `+++ b/${path}`, ...hunks].join('\n') + '\n';
}

/** Lines without the empty string a final newline would leave at the end. */
function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (text.endsWith('\n')) all.pop();
  return all;
}

/** Myers' O((N+M)·D) shortest edit script, recovered by backtracking the saved frontiers. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const frontier = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d += 1) {
    trace.push(frontier.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (frontier[offset + k - 1] ?? 0) < (frontier[offset + k + 1] ?? 0));
      let x = down ? (frontier[offset + k + 1] ?? 0) : (frontier[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      frontier[offset + k] = x;
      if (x >= a.length && y >= b.length) break outer;
    }
  }
  return backtrack(a, b, trace, offset);
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[], offset: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d -= 1) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x -= 1;
      y -= 1;
      ops.push({ type: ' ', line: a[x] ?? '' });
    }
    if (d === 0) break;
    if (down) ops.push({ type: '+', line: b[prevY] ?? '' });
    else ops.push({ type: '-', line: a[prevX] ?? '' });
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

function groupHunks(ops: readonly Op[]): string[] {
  const hunks: string[] = [];
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && ops[index]?.type === ' ') index += 1;
    if (index >= ops.length) break;
    let start = Math.max(0, index - CONTEXT);
    while (start > 0 && ops[start - 1]?.type !== ' ') start -= 1;
    let end = index;
    let quiet = 0;
    while (end < ops.length && quiet <= 2 * CONTEXT) {
      quiet = ops[end]?.type === ' ' ? quiet + 1 : 0;
      end += 1;
    }
    end = Math.min(ops.length, end - Math.max(0, quiet - CONTEXT));
    hunks.push(hunk(ops, start, end));
    index = end;
  }
  return hunks;
}

function hunk(ops: readonly Op[], start: number, end: number): string {
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < start; i += 1) {
    if (ops[i]?.type !== '+') oldLine += 1;
    if (ops[i]?.type !== '-') newLine += 1;
  }
  const body = ops.slice(start, end);
  const oldCount = body.filter((op) => op.type !== '+').length;
  const newCount = body.filter((op) => op.type !== '-').length;
  const header = `@@ -${oldCount === 0 ? oldLine - 1 : oldLine},${oldCount} +${newCount === 0 ? newLine - 1 : newLine},${newCount} @@`;
  return [header, ...body.map((op) => `${op.type}${op.line}`)].join('\n');
}
