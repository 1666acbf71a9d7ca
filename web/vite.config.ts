/**
 * The chat page. It imports only the package's public entry points ('agentwire/client',
 * 'agentwire/react'). They resolve to the TypeScript source that package.json's exports map
 * names under the `agentwire-source` condition, so the page builds without building the library first
 * and can never reach a module the exports map does not list.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Alias } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { 'agentwire-source'?: string }> };

/** 'agentwire/client' → <root>/src/client/index.ts, for every entry with an `agentwire-source` condition. */
const entryPoints: Alias[] = Object.entries(pkg.exports).flatMap(([subpath, target]) => {
  if (typeof target !== 'object' || target['agentwire-source'] === undefined) return [];
  const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`;
  return [{ find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`), replacement: resolve(ROOT, target['agentwire-source']) }];
});

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  resolve: { alias: entryPoints },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to `npm start`: the page hot-reloads, the API is proxied.
    proxy: {
      '/api': 'http://localhost:3000',
      '/ws': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
