/**
 * The figures docs/deploy.md quotes, measured by the Redis tests and written to
 * test-results/redis-figures.json (merged, one key per measurement) and to the console.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-results', 'redis-figures.json');

export function recordFigure(name: string, figure: Record<string, unknown>): void {
  mkdirSync(dirname(FILE), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    // First figure of this run.
  }
  all[name] = { ...figure, measuredAt: new Date().toISOString() };
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`[redis figure] ${name}: ${JSON.stringify(figure)}`);
}
