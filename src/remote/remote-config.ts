/**
 * Remote agents from a JSON file, for `agentwire start` / `serve` (AGENTWIRE_REMOTE_AGENTS names
 * the file). Either an array of agents or `{ "agents": [...] }`; each entry takes the options of
 * defineRemoteAgent. `${VAR}` in a header value is replaced by that environment variable, so a
 * worker's credential need not sit in the file; a missing variable stops start-up.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AgentwireError, InternalErrorCode, errorMessage } from '../errors/agentwire-error.js';
import type { AgentDefinition } from '../engine/define-agent.js';
import { defineRemoteAgent, type RemoteAgentOptions } from './define-remote-agent.js';

const entrySchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxLineBytes: z.number().int().positive().optional(),
  historyTurns: z.number().int().min(0).optional(),
});
const fileSchema = z.union([z.array(entrySchema), z.strictObject({ agents: z.array(entrySchema) })]);

type Env = Record<string, string | undefined>;

export function loadRemoteAgents(file: string, env: Env = process.env): AgentDefinition[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw configError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configError(`${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.agents;
  return entries.map((entry) => defineRemoteAgent(withoutUndefined({ ...entry, headers: expandHeaders(entry.headers ?? {}, env, file) })));
}

function expandHeaders(headers: Record<string, string>, env: Env, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, variable: string) => {
      const found = env[variable];
      if (found === undefined) throw configError(`${file}: header "${name}" uses \${${variable}}, which is not set`);
      return found;
    });
  }
  return out;
}

/** zod's optional fields come back as `undefined`; exactOptionalPropertyTypes wants them absent. */
function withoutUndefined(entry: Record<string, unknown>): RemoteAgentOptions {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as unknown as RemoteAgentOptions;
}

function configError(message: string): AgentwireError {
  return new AgentwireError(InternalErrorCode.CONFIG, `AGENTWIRE_REMOTE_AGENTS ${message}`);
}
