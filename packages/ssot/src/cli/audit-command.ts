import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { audit } from '../analysis/audit.js';
import { planAudit } from '../config/run-plan.js';
import { SsotError, SsotErrorCode } from '../errors.js';
import { renderJson } from '../report/json.js';
import { mark } from '../timing.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { progressBar } from './progress.js';

/** The Markdown renderer loads only for Markdown output (synchronously: see runCli). */
const load = createRequire(import.meta.url);

/** Exit code 1 when any concept exceeds a configured limit. */
export async function auditCommand(args: CliArgs, io: CliIo): Promise<number> {
  mark('audit modules loaded');
  const options = planAudit(args, io.cwd);
  const progress = progressBar(io.stderr, args.progress);
  const report = await audit({ ...options, onProgress: progress.update });
  progress.finish();
  const text = args.format === 'json' ? renderJson(report) : (load('../report/markdown.js') as typeof import('../report/markdown.js')).renderMarkdown(report);
  mark('report rendered');
  if (args.out === undefined) io.stdout.write(text);
  else {
    const path = resolve(io.cwd, args.out);
    try {
      writeFileSync(path, text);
    } catch (error) {
      throw new SsotError(SsotErrorCode.WRITE_FAILED, `cannot write ${path}`, { cause: error });
    }
    io.stderr.write(`ssot: report written to ${path}\n`);
  }
  const failed = report.concepts.filter((concept) => concept.status === 'fail');
  for (const concept of failed) {
    const breaches = concept.breaches.map((breach) => `${breach.metric} ${breach.actual} > ${breach.limit}`).join(', ');
    io.stderr.write(`ssot: ${concept.concept}: limit exceeded: ${breaches}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
