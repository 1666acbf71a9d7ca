/**
 * Imports between src/ folders point down. Each folder has a layer; a module may import from a
 * folder in a strictly lower layer, never from the same layer's siblings or from above, and the
 * folders form no cycle. Imports are read by TypeScript's pre-processor (static, `export from`,
 * `import type` and dynamic `import()` alike): a type-only import still couples the folders.
 *
 * Today's exceptions are listed by file in KNOWN_UPWARD with why they exist; the test fails on
 * any new one, and also when a listed one is gone, so the list only shrinks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * Lowest first; folders on one row share a layer and must not import each other. `index` is
 * src/index.ts (the `agentwire` entry). A new folder fails the test until it is placed here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['protocol'], // the wire contract: types, codes, the frame codec
  ['errors', 'observability', 'client'], // the client SDK needs only the protocol
  ['context', 'metrics', 'store', 'react', 'tracing'], // react sits on the client; tracing records spans for the engine and agents
  ['bridge'], // agent events into the store and the fan-out
  ['engine'], // runs, tools, the agent authoring API
  ['agents', 'remote'], // agents built on the engine: the built-ins, remote (HTTP) agents
  ['transport'], // WebSocket connections, streaming, authentication
  ['backend'], // the contract a node's back-end (store, fan-out, leases) fulfils
  ['ag-ui', 'publish', 'redis'], // routes and the Redis back-end the server composes
  ['server'], // the composition root and its HTTP API
  ['ai', 'cli', 'index'], // entries above the server
];

/**
 * Upward or sideways imports that exist today, `importer -> imported` relative to src/. Each
 * one is a debt with a reason; remove the line when the import goes.
 */
const KNOWN_UPWARD: readonly string[] = [
  // The AG-UI and publish routes use the HTTP router's types, HttpError and the body reader,
  // which live in server/http-api.ts together with dev tokens and static files. Moving those
  // pieces to their own folder below the routes (issue 13 item 5: server/http/) removes these.
  'ag-ui/ag-ui-route.ts -> server/http-api.ts',
  'publish/publish-routes.ts -> server/http-api.ts',
  'publish/publish-setup.ts -> server/http-api.ts',
];

const LAYER_OF = new Map(LAYERS.flatMap((row, layer) => row.map((folder) => [folder, layer] as const)));

interface Edge {
  from: string;
  to: string;
}

function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length === 1 ? 'index' : parts[0]!;
}

/** Every import of one src/ module by another, as paths relative to src/ with `/`. */
function srcImports(): Edge[] {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const edges: Edge[] = [];
  for (const file of files) {
    const absolute = resolve(SRC, file);
    const { importedFiles } = ts.preProcessFile(readFileSync(absolute, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(absolute), fileName.replace(/\.js$/, '.ts')));
      edges.push({ from: file.split(sep).join('/'), to: target.split(sep).join('/') });
    }
  }
  return edges;
}

function crossFolder(edges: Edge[]): Edge[] {
  return edges.filter((e) => folderOf(e.from) !== folderOf(e.to));
}

function pointsDown(edge: Edge): boolean {
  const from = LAYER_OF.get(folderOf(edge.from));
  const to = LAYER_OF.get(folderOf(edge.to));
  return from !== undefined && to !== undefined && to < from;
}

/** A cycle in the folder graph as `a -> b -> a`, or undefined; depth-first with colours. */
function findCycle(graph: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' -> ');
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('src/ layering', () => {
  const edges = crossFolder(srcImports());
  const known = new Set(KNOWN_UPWARD);

  it('places every src/ folder in a layer', () => {
    const folders = new Set(edges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]));
    for (const entry of readdirSync(SRC, { withFileTypes: true })) if (entry.isDirectory()) folders.add(entry.name);
    expect([...folders].filter((f) => !LAYER_OF.has(f)).sort()).toEqual([]);
  });

  it('imports only from lower layers, apart from the listed debts', () => {
    const upward = edges.filter((e) => !pointsDown(e)).map((e) => `${e.from} -> ${e.to}`);
    expect(upward.filter((e) => !known.has(e)).sort()).toEqual([]);
  });

  it('lists no debt that has been paid', () => {
    const present = new Set(edges.map((e) => `${e.from} -> ${e.to}`));
    expect(KNOWN_UPWARD.filter((e) => !present.has(e))).toEqual([]);
  });

  it('has no cycle between folders once the listed debts are set aside', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of edges) {
      if (known.has(`${e.from} -> ${e.to}`)) continue;
      const targets = graph.get(folderOf(e.from)) ?? new Set<string>();
      targets.add(folderOf(e.to));
      graph.set(folderOf(e.from), targets);
    }
    expect(findCycle(graph)).toBeUndefined();
  });

  it('finds what it looks for (the reader sees static, type-only and dynamic imports)', () => {
    // server/node-backend.ts loads Redis with `await import(...)` and imports the contract as a type.
    const fromNodeBackend = edges.filter((e) => e.from === 'server/node-backend.ts').map((e) => e.to);
    expect(fromNodeBackend).toEqual(expect.arrayContaining(['redis/redis-backend.ts', 'backend/node-backend-contract.ts']));
    expect(findCycle(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]]))).toBe('a -> b -> a');
  });
});
