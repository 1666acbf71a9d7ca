import type { Span } from '../facts/file-facts.js';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Applies non-overlapping edits; returns null when two edits overlap (the fixer then skips the file). */
export function applyEdits(source: string, edits: readonly TextEdit[]): string | null {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let result = source;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (edit.end > limit) return null;
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    limit = edit.start;
  }
  return result;
}

/**
 * Removes one item from a comma-separated list (`{ A, X, B }`, `import (A, X)`) with its comma.
 * An item alone on its line takes the whole line, so multi-line lists keep their layout.
 */
export function removeListItem(source: string, item: Span): TextEdit {
  const lineStart = source.lastIndexOf('\n', item.start - 1) + 1;
  let after = item.end;
  while (after < source.length && (source[after] === ' ' || source[after] === '\t')) after += 1;
  const commaAfter = source[after] === ',';
  if (commaAfter) {
    let end = after + 1;
    while (end < source.length && (source[end] === ' ' || source[end] === '\t')) end += 1;
    const aloneOnLine = source.slice(lineStart, item.start).trim() === '' && (source[end] === '\n' || end >= source.length);
    if (aloneOnLine) return { start: lineStart, end: Math.min(source.length, end + 1), text: '' };
    return { start: item.start, end, text: '' };
  }
  let before = item.start - 1;
  while (before >= 0 && /\s/.test(source.charAt(before))) before -= 1;
  if (source[before] === ',') {
    const aloneOnLine = source.slice(lineStart, item.start).trim() === '';
    return { start: aloneOnLine ? lineStart - 1 : before, end: item.end, text: '' };
  }
  return { start: item.start, end: item.end, text: '' };
}

/** Inserts a new statement on the line after `statement`, indented like it. */
export function insertAfter(source: string, statement: Span, text: string): TextEdit {
  const lineStart = source.lastIndexOf('\n', statement.start - 1) + 1;
  const indent = /^[ \t]*/.exec(source.slice(lineStart, statement.start))?.[0] ?? '';
  return { start: statement.end, end: statement.end, text: `\n${indent}${text}` };
}

/** The quote character a string literal was written with. */
export function quoteOf(source: string, inner: Span): string {
  const quote = source.charAt(inner.start - 1);
  return quote === '"' || quote === "'" || quote === '`' ? quote : "'";
}
