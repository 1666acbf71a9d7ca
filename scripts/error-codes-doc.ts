/**
 * Writes the code table of docs/protocol.md from src/protocol/error-codes.ts, between the
 * markers, so the docs cannot drift from the table (test/protocol/error-codes.test.ts fails when
 * they do).
 *
 *   npm run docs:error-codes
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type CodeSpec } from 'agentwire';

export const BEGIN = '<!-- error-codes:begin — generated from src/protocol/error-codes.ts by `npm run docs:error-codes`; do not edit -->';
export const END = '<!-- error-codes:end -->';
export const PROTOCOL_DOC = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));

export function renderErrorCodeTable(): string {
  const rows = Object.entries(ERROR_CODES as Record<string, CodeSpec>).map(([code, spec]) =>
    `| \`${code}\` | ${spec.meaning} | ${spec.httpStatus ?? '—'} | ${spec.closeCode ?? '—'} | ${spec.on.join(', ') || 'HTTP'} | ${spec.reachesClients ? 'yes' : 'no (logs only)'} |`,
  );
  return ['| code | meaning | HTTP status | close code | seen on | reaches clients |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** The text between the markers, or undefined when a marker is missing. */
export function documentedTable(doc: string): string | undefined {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(start + BEGIN.length, end).trim();
}

function main(): void {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/protocol.md lacks the markers ${BEGIN} … ${END}`);
  writeFileSync(PROTOCOL_DOC, `${doc.slice(0, start + BEGIN.length)}\n${renderErrorCodeTable()}\n${doc.slice(end)}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
