/**
 * The `search_docs` tool: full-text search over agentwire's own Markdown documentation, so the
 * demo assistant answers from what the package ships rather than from memory. Files are split
 * into sections at headings and ranked with BM25; the index is built on first use and kept for
 * the life of the process, because the docs do not change under a running server.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../../engine/define-agent.js';
import { buildIndex, rankSections, type DocSection, type SearchIndex } from './docs-index.js';

/** The package root: src/agents/tools/ in the source and dist/agents/tools/ in the build are both three levels down. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_DOC_ROOTS: readonly string[] = [join(PACKAGE_ROOT, 'docs'), join(PACKAGE_ROOT, 'README.md')];

export interface DocsSearchArgs {
  query: string;
  limit?: number;
}

export interface DocsSearchHit {
  /** Path relative to the root's parent directory, with forward slashes (e.g. "docs/protocol.md"). */
  file: string;
  heading: string;
  snippet: string;
  score: number;
}

export interface DocsSearchOptions {
  /** Markdown files, or directories searched recursively for *.md. Missing ones are skipped. */
  roots?: readonly string[];
}

/** Returns [absolute path, display path] for every Markdown file under one root. */
async function markdownFiles(root: string): Promise<[string, string][]> {
  const info = await stat(root).catch((error: unknown) => {
    // A missing root is expected (docs/ may not be written yet); anything else is a real fault.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return [];
  const base = dirname(root);
  const display = (path: string): string => relative(base, path).split(sep).join('/');
  if (info.isFile()) return root.endsWith('.md') ? [[root, display(root)]] : [];
  const entries = await readdir(root, { recursive: true });
  return entries
    .filter((entry) => entry.endsWith('.md') && !entry.split(sep).includes('node_modules'))
    .sort()
    .map((entry) => join(root, entry))
    .map((path) => [path, display(path)]);
}

const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** Splits a Markdown file at its headings; text before the first heading is headed by the file's name. */
export function splitSections(file: string, markdown: string): DocSection[] {
  const sections: DocSection[] = [];
  let current: DocSection = { file, heading: basename(file), body: '' };
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    // A "#" inside a fenced code block is a shell comment, not a heading.
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (heading) {
      sections.push(current);
      current = { file, heading: heading[2] ?? '', body: '' };
    } else {
      current.body += `${line}\n`;
    }
  }
  sections.push(current);
  // The untitled preamble is dropped when empty; a heading with no text of its own still matches on its title.
  return sections.filter((section, i) => i > 0 || section.body.trim() !== '');
}

async function loadIndex(roots: readonly string[]): Promise<SearchIndex> {
  const sections: DocSection[] = [];
  for (const root of roots) {
    for (const [path, display] of await markdownFiles(root)) {
      sections.push(...splitSections(display, await readFile(path, 'utf8')));
    }
  }
  return buildIndex(sections);
}

export function createDocsSearchTool(options: DocsSearchOptions = {}): ToolDefinition<DocsSearchArgs, DocsSearchHit[]> {
  const roots = options.roots ?? DEFAULT_DOC_ROOTS;
  let index: Promise<SearchIndex> | undefined;
  const getIndex = (): Promise<SearchIndex> => {
    index ??= loadIndex(roots).catch((error: unknown) => {
      // Forget a failed load so the next call retries instead of failing forever.
      index = undefined;
      throw error;
    });
    return index;
  };
  return defineTool<DocsSearchArgs, DocsSearchHit[]>({
    name: 'search_docs',
    description: "Searches agentwire's documentation (docs/*.md and README.md) and returns the best-matching sections.",
    parameters: z.object({ query: z.string().min(1).max(500), limit: z.number().int().min(1).max(10).exactOptional() }),
    timeoutMs: 5_000,
    async execute({ query, limit = 3 }) {
      return rankSections(await getIndex(), query, limit);
    },
  });
}

export const docsSearchTool = createDocsSearchTool();
