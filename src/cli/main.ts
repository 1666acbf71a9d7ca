#!/usr/bin/env node
/**
 * agentwire start   the demo: SQLite under ./data, a generated secret kept there, the chat page,
 *                   and demo sign-in by name (loopback only). With AGENTWIRE_JWT_SECRET or
 *                   AGENTWIRE_JWKS_URL set, demo sign-in is off: tokens come from the operator.
 * agentwire serve   production: refuses to start without AGENTWIRE_JWT_SECRET or
 *                   AGENTWIRE_JWKS_URL; no demo sign-in.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentwireError, errorMessage } from '../errors/agentwire-error.js';
import { loadConfig, type AgentwireConfig } from '../server/config.js';
import { loadModelConfig, modelServerOptions, type ModelConfig } from '../server/model-config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { generateSecret, startServer, type AgentwireServerOptions } from '../server/agentwire-server.js';
import { loadRemoteAgents } from '../remote/remote-config.js';
import { loadPublishConfig } from '../publish/publish-config.js';

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA_DIR = resolve(process.env.AGENTWIRE_DATA_DIR ?? './data');

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === 'help') {
    process.stdout.write('usage: agentwire [start|serve]\n  start  demo on SQLite with the chat page (http://localhost:3000)\n  serve  production node; needs AGENTWIRE_JWT_SECRET or AGENTWIRE_JWKS_URL\n');
    return;
  }
  if (command !== 'start' && command !== 'serve') {
    process.stderr.write(`unknown command "${command}"; use start or serve\n`);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig(process.env, { store: `sqlite:${join(DATA_DIR, 'agentwire.db')}` });
  const logger = createLogger(config.logLevel);
  const operatorAuth = Boolean(config.jwtSecret ?? config.jwksUrl);
  // Demo sign-in signs with whatever secret the server has: only ever a secret generated for the
  // demo, never the operator's, or anyone who reaches it could mint tokens for any user.
  const demo = command === 'start' && !operatorAuth;
  if (command === 'serve' && !operatorAuth) {
    throw new AgentwireError('CONFIG', 'agentwire serve needs AGENTWIRE_JWT_SECRET (HS256) or AGENTWIRE_JWKS_URL; refusing to start without authentication');
  }
  const model = loadModelConfig(process.env);
  const jwtSecret = config.jwtSecret ?? (demo ? demoSecret(logger) : undefined);
  if (command === 'start' && !demo) logger.warn('demo sign-in is off: AGENTWIRE_JWT_SECRET or AGENTWIRE_JWKS_URL is set, so tokens come from your identity provider');
  const server = await startServer(serverOptions(config, logger, demo, jwtSecret, model));
  const shownHost = config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost';
  process.stdout.write(`agentwire ${demo ? 'demo ' : ''}listening on http://${shownHost}:${server.port} (store ${config.store.replace(/\/\/[^@/]*@/, '//***@')})\n`);
  process.stdout.write(model ? `agent: model ${model.model} at ${new URL(model.baseUrl).host}\n` : 'agent: the deterministic assistant (set AGENTWIRE_MODEL_BASE_URL and AGENTWIRE_MODEL for a real model)\n');
  const stop = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

function serverOptions(config: AgentwireConfig, logger: Logger, demo: boolean, jwtSecret: string | undefined, model: ModelConfig | undefined): AgentwireServerOptions {
  const pageDir = join(PACKAGE_ROOT, 'web', 'dist');
  const staticDir = existsSync(join(pageDir, 'index.html')) ? pageDir : undefined;
  if (!staticDir) logger.warn('the chat page is not built, so / serves nothing: run npm run build', { dir: pageDir });
  return {
    port: config.port,
    ...(config.host ? { host: config.host } : {}),
    store: config.store,
    retention: config.retention,
    redis: config.redis,
    auth: { jwtSecret, jwksUrl: config.jwksUrl, issuer: config.issuer, audience: config.audience, requireExp: config.jwtRequireExp },
    diagnostics: config.diagnostics,
    demoPacing: config.demoPacing,
    ...(config.maxThreadTitleChars === undefined ? {} : { maxThreadTitleChars: config.maxThreadTitleChars }),
    transport: config.transport,
    http: config.http,
    trustedProxies: config.trustedProxies,
    forwardedHeader: config.forwardedHeader,
    httpRate: config.httpRate,
    engine: config.engine,
    ...(config.toolTimeoutMs === undefined ? {} : { toolTimeoutMs: config.toolTimeoutMs }),
    demo,
    ...(staticDir ? { staticDir } : {}),
    logger,
    nodeId: config.nodeId,
    ...(config.tracing ? { tracing: config.tracing } : {}),
    ...withRemoteAgents(modelServerOptions(model), logger),
    ...optionalPublish(),
  };
}

/** The publish API, when AGENTWIRE_SERVICE_SECRET is set (docs/remote-agents.md). */
function optionalPublish(): Pick<AgentwireServerOptions, 'publish'> {
  const publish = loadPublishConfig(process.env);
  return publish ? { publish } : {};
}

/** Adds the agents of the file named by AGENTWIRE_REMOTE_AGENTS (docs/remote-agents.md). */
function withRemoteAgents(options: ReturnType<typeof modelServerOptions>, logger: Logger): ReturnType<typeof modelServerOptions> {
  const file = process.env.AGENTWIRE_REMOTE_AGENTS;
  if (!file) return options;
  const remote = loadRemoteAgents(resolve(file));
  logger.info('remote agents', { file, agents: remote.map((a) => a.name) });
  return { ...options, agents: [...(options.agents ?? []), ...remote] };
}

/** The demo's secret: generated once and kept under ./data so tokens survive a restart. */
function demoSecret(logger: Logger): string {
  const file = join(DATA_DIR, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(DATA_DIR, { recursive: true });
  const secret = generateSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  logger.info('generated a JWT secret for the demo', { file });
  return secret;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`agentwire: ${errorMessage(error)}\n`);
  process.exit(1);
});
