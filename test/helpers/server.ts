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

/**
 * Waits until the server itself has let go of a closed connection (its open count fell below
 * `count`): the client sees its close before the server's own close handler runs, so a slot is
 * reused on the server's word, not after a guessed sleep.
 */
export async function untilConnectionsBelow(server: AgentwireServer, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.connections.size >= count) {
    if (Date.now() > deadline) throw new Error(`the server still holds ${server.connections.size} connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
