import type { SgNode } from '@ast-grep/napi';
import type { Span } from './file-facts.js';

/** Small, exact questions about one node; each costs one or two calls into the native parser. */

export function lineOf(node: SgNode): number {
  return node.range().start.line + 1;
}

export function spanOf(node: SgNode): Span {
  const range = node.range();
  return { start: range.start.index, end: range.end.index };
}

/** The value of a string literal node, without its quotes; null for template strings with holes. */
export function stringValue(node: SgNode): string | null {
  const text = node.text();
  if (text.length < 2) return null;
  if (text.startsWith('`') && text.includes('${')) return null;
  return text.slice(1, -1);
}

export function fieldText(node: SgNode, field: string): string | null {
  return node.field(field)?.text() ?? null;
}

/** Escapes a name for use inside an ast-grep `regex` rule. */
export function escapeRegex(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `^(?:A|B)$`, or a pattern that matches nothing when the list is empty. */
export function exactNamesPattern(names: readonly string[]): string {
  if (names.length === 0) return '^\\b$';
  return `^(?:${names.map(escapeRegex).join('|')})$`;
}

/** `^(?:A|B)$|\\.(?:A|B)$`: a callee that is the name itself, or reaches it through an object (`ns.A`). */
export function calleePattern(names: readonly string[]): string {
  const alternatives = names.map(escapeRegex).join('|');
  return `^(?:${alternatives})$|\\.(?:${alternatives})$`;
}

/** The physical source line around a node, trimmed and shortened, for reports. */
export function snippetOf(text: string, node: SgNode): string {
  const index = node.range().start.index;
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const newline = text.indexOf('\n', index);
  const line = text.slice(start, newline === -1 ? text.length : newline).trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
