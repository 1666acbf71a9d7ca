import { silentLogger, startServer, type AgentwireServer, type AgentwireServerOptions } from 'agentwire/server';
import { TEST_SECRET } from './tokens.js';

/** A real server on port 0 with the memory store, diagnostics on and a silent logger. */
export function startTestServer(options: Partial<AgentwireServerOptions> = {}): Promise<AgentwireServer> {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    auth: { jwtSecret: TEST_SECRET },
    diagnostics: true,
    logger: silentLogger,
    shutdownGraceMs: 500,
    ...options,
  });
}

/** JSON input for the `stream` diagnostic agent. */
export function streamInput(events: number, intervalMs = 0, bytes = 60): string {
  return JSON.stringify({ events, intervalMs, bytes });
}
