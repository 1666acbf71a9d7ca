import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createDocsSearchTool, docsSearchTool } from 'agentwire/server';

const toolContext = { signal: new AbortController().signal, userId: 'user-1', runId: 'run-1' };
const filler = (n: number): string => Array.from({ length: n }, (_, i) => `Filler sentence ${i} talks about nothing in particular.`).join(' ');

const GUIDE = `Intro text before any heading mentions the guide.

# Guide

## Resume after a reconnect

${filler(12)} A client that reconnects sends resume with its lastSeq and epoch, and the server replays every later event. ${filler(12)}

## Tokens

Authenticate with a JWT whose sub is the user id. Tokens expire.

\`\`\`sh
# install dependencies first (a shell comment, not a heading)
npm install agentwire
\`\`\`
`;

const PROTOCOL = `# Protocol

## Sequence numbers

Every event carries a seq, gapless per user within an epoch. Clients ack the last seq they processed.

## Errors

Error frames carry a code and a message.
`;

const DEEP = `## Redis deployment

Run Redis and N identical nodes behind a load balancer.
`;

let dir: string;
let label: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentwire-docs-'));
  label = basename(dir);
  await mkdir(join(dir, 'ops', 'nested'), { recursive: true });
  await mkdir(join(dir, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(dir, 'guide.md'), GUIDE);
  await writeFile(join(dir, 'protocol.md'), PROTOCOL);
  await writeFile(join(dir, 'ops', 'nested', 'deploy.md'), DEEP);
  await writeFile(join(dir, 'notes.txt'), '# Resume\nresume resume resume');
  await writeFile(join(dir, 'node_modules', 'dep', 'README.md'), '# Resume\nresume resume resume');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('search_docs tool', () => {
  it('ranks the section about the query first, with file, heading and a snippet around the match', async () => {
    const tool = createDocsSearchTool({ roots: [dir] });
    const hits = await tool.execute({ query: 'How does resume work after I reconnect?' }, toolContext);
    expect(hits[0]).toMatchObject({ file: `${label}/guide.md`, heading: 'Resume after a reconnect' });
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(hits[0]!.snippet).toContain('sends resume with its lastSeq and epoch');
    expect(hits[0]!.snippet.length).toBeLessThanOrEqual(302);
    expect(hits[0]!.snippet.startsWith('…')).toBe(true);
    expect(hits[0]!.snippet.endsWith('…')).toBe(true);
  });

  it('returns scores in descending order and respects the limit (default 3)', async () => {
    const tool = createDocsSearchTool({ roots: [dir] });
    const hits = await tool.execute({ query: 'seq epoch event resume token error redis' }, toolContext);
    expect(hits).toHaveLength(3);
    const scores = hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(await tool.execute({ query: 'seq epoch event resume token error redis', limit: 1 }, toolContext)).toHaveLength(1);
    expect((await tool.execute({ query: 'seq epoch event resume token error redis', limit: 10 }, toolContext)).length).toBeGreaterThan(3);
  });

  it('matches plurals and headings, searches subdirectories, ignores node_modules and non-Markdown files', async () => {
    const tool = createDocsSearchTool({ roots: [dir] });
    const [token] = await tool.execute({ query: 'token' }, toolContext);
    expect(token).toMatchObject({ file: `${label}/guide.md`, heading: 'Tokens' });
    const [redis] = await tool.execute({ query: 'redis' }, toolContext);
    expect(redis).toMatchObject({ file: `${label}/ops/nested/deploy.md`, heading: 'Redis deployment' });
    const files = (await tool.execute({ query: 'resume', limit: 10 }, toolContext)).map((h) => h.file);
    expect(files.every((f) => f.endsWith('.md') && !f.includes('node_modules'))).toBe(true);
  });

  it('does not take a "#" comment inside a code block for a heading', async () => {
    const tool = createDocsSearchTool({ roots: [dir] });
    const [hit] = await tool.execute({ query: 'install dependencies' }, toolContext);
    expect(hit?.heading).toBe('Tokens');
  });

  it('indexes text before the first heading under the file name', async () => {
    const tool = createDocsSearchTool({ roots: [dir] });
    const [hit] = await tool.execute({ query: 'intro' }, toolContext);
    expect(hit).toMatchObject({ heading: 'guide.md', snippet: 'Intro text before any heading mentions the guide.' });
  });

  it('accepts single files as roots', async () => {
    const tool = createDocsSearchTool({ roots: [join(dir, 'protocol.md')] });
    const hits = await tool.execute({ query: 'ack seq', limit: 10 }, toolContext);
    expect(hits.map((h) => [h.file, h.heading])).toEqual([['protocol.md', 'Sequence numbers']]);
  });

  it('returns [] for missing roots, no Markdown, no match, or only stopwords', async () => {
    expect(await createDocsSearchTool({ roots: [join(dir, 'missing')] }).execute({ query: 'resume' }, toolContext)).toEqual([]);
    expect(await createDocsSearchTool({ roots: [] }).execute({ query: 'resume' }, toolContext)).toEqual([]);
    const tool = createDocsSearchTool({ roots: [dir] });
    expect(await tool.execute({ query: 'kubernetes' }, toolContext)).toEqual([]);
    expect(await tool.execute({ query: 'how do I do it?' }, toolContext)).toEqual([]);
  });

  it('builds its index once per tool instance', async () => {
    const own = await mkdtemp(join(tmpdir(), 'agentwire-docs-cache-'));
    try {
      const tool = createDocsSearchTool({ roots: [own] });
      expect(await tool.execute({ query: 'websocket' }, toolContext)).toEqual([]);
      await writeFile(join(own, 'late.md'), '# WebSocket\nThe endpoint is /ws.');
      expect(await tool.execute({ query: 'websocket' }, toolContext)).toEqual([]);
      const fresh = createDocsSearchTool({ roots: [own] });
      expect(await fresh.execute({ query: 'websocket' }, toolContext)).toHaveLength(1);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('validates its arguments with its schema', () => {
    expect(docsSearchTool.parameters.safeParse({ query: 'resume' }).success).toBe(true);
    expect(docsSearchTool.parameters.safeParse({ query: 'resume', limit: 10 }).success).toBe(true);
    expect(docsSearchTool.parameters.safeParse({ query: 'resume', limit: 0 }).success).toBe(false);
    expect(docsSearchTool.parameters.safeParse({ query: 'resume', limit: 11 }).success).toBe(false);
    expect(docsSearchTool.parameters.safeParse({ query: '' }).success).toBe(false);
  });

  it('searches the package docs by default, whatever of them exist', async () => {
    const hits = await docsSearchTool.execute({ query: 'agentwire resume' }, toolContext);
    expect(Array.isArray(hits)).toBe(true);
    for (const hit of hits) expect(hit.file === 'README.md' || hit.file.startsWith('docs/')).toBe(true);
  });
});
