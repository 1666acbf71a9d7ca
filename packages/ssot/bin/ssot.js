#!/usr/bin/env node
// The command npm links as `ssot`. It is committed source, not build output: npm links a
// package's bins when it installs, before anything is built, and skips a bin whose file does not
// exist yet — which is why pointing `bin` at dist/cli.js left a fresh clone without `npx ssot`.
// A built package (a tarball, or a clone after `npm run build`) runs dist/; a clone that has not
// been built runs the TypeScript sources through tsx, which the workspace installs.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
const fromSource = process.env.SSOT_FROM_SOURCE === '1' || !existsSync(built);

if (!fromSource) {
  await import(built.href);
} else {
  let tsx;
  try {
    // Both hooks: the CLI loads its commands with require(), the rest with import.
    tsx = { esm: await import('tsx/esm/api'), cjs: await import('tsx/cjs/api') };
  } catch (error) {
    process.stderr.write(`ssot: not built and tsx is not installed; run \`npm run build\` in ${new URL('..', import.meta.url).pathname} [SSOT_NOT_BUILT]\n`);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  }
  tsx.esm.register();
  tsx.cjs.register();
  await import(new URL('../src/cli.ts', import.meta.url).href);
}
