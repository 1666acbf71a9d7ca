import { createRequire } from 'node:module';
import { isSsotError, isUsageError } from '../errors.js';
import { mark } from '../timing.js';
import { VERSION } from '../version.js';
import { parseCliArgs, USAGE } from './args.js';
import type { CliIo } from './io.js';

export const ExitCode = { OK: 0, LIMIT_EXCEEDED: 1, USAGE: 2, INTERNAL: 3, FIX_REFUSED: 4 } as const;

/** The whole CLI as a function of its arguments, so tests can run it in-process too. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    mark('cli start');
    const args = parseCliArgs(argv);
    switch (args.command) {
      case 'help':
        io.stdout.write(USAGE);
        return ExitCode.OK;
      case 'version':
        io.stdout.write(`${VERSION}\n`);
        return ExitCode.OK;
      // Each command loads its own modules: `--version` loads no parser, `audit` no fixer. They
      // are required, not imported: require() loads an ES module graph with synchronous reads,
      // ~10 ms faster than import(), which waits for the thread pool for each of ~50 files.
      case 'audit':
        return await (load('./audit-command.js') as typeof import('./audit-command.js')).auditCommand(args, io);
      case 'fix':
        return await (load('./fix-command.js') as typeof import('./fix-command.js')).fixCommand(args, io);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

const load = createRequire(import.meta.url);

function reportError(error: unknown, io: CliIo): number {
  if (isUsageError(error)) {
    io.stderr.write(`ssot: ${error.message} [${error.code}]\n`);
    return ExitCode.USAGE;
  }
  if (isSsotError(error)) {
    io.stderr.write(`ssot: ${error.message} [${error.code}]\n`);
    return ExitCode.INTERNAL;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`ssot: internal error: ${detail}\n`);
  return ExitCode.INTERNAL;
}
