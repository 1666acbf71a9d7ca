/**
 * Renaming and deleting threads over HTTP, for the chat page's thread list:
 *
 *   PATCH  /api/threads/:threadId  {"title": "…"}  → 200 {"thread": {…}}
 *   DELETE /api/threads/:threadId                  → 204
 *
 * Own threads only: another user's thread is 403 FORBIDDEN, an unknown one 404 NOT_FOUND. A
 * thread with a run still going cannot be deleted (409 THREAD_BUSY): its next event would
 * land in a thread that no longer exists. Deletion is the store's own (EventStore.deleteThread):
 * the record and every event go.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTerminalType } from '../protocol/events.js';
import type { EventStore, ThreadRecord } from '../store/event-store.js';
import type { Authenticator } from '../transport/authenticator.js';
import type { Logger } from '../observability/logger.js';
import { authenticate, HttpError, pathParameter, readJsonBody, type HttpRoute } from './http-api.js';

/** A title longer than this is refused: it is shown in one line of a list. */
export const DEFAULT_MAX_THREAD_TITLE_CHARS = 120;
/** A rename body is one short JSON object. */
const MAX_RENAME_BODY_BYTES = 4 * 1024;
/** Events read per page when checking whether a run of the thread is still going. */
const PAGE = 1000;

export interface ThreadRouteOptions {
  store: EventStore;
  authenticator: Authenticator;
  logger: Logger;
  maxTitleChars?: number;
}

const THREAD_PATH = /^\/api\/threads\/([^/]+)$/;

export function threadRoutes(options: ThreadRouteOptions): HttpRoute[] {
  const maxTitleChars = options.maxTitleChars ?? DEFAULT_MAX_THREAD_TITLE_CHARS;
  return [
    { method: 'PATCH', pattern: THREAD_PATH, handler: (req, res, url, match) => renameThread(options, maxTitleChars, req, res, url, match) },
    { method: 'DELETE', pattern: THREAD_PATH, handler: (req, res, url, match) => deleteThread(options, req, res, url, match) },
  ];
}

async function ownThread(options: ThreadRouteOptions, req: IncomingMessage, url: URL, match: RegExpMatchArray): Promise<ThreadRecord> {
  const userId = await authenticate(options.authenticator, req, url);
  const thread = await options.store.getThread(pathParameter(match[1]));
  if (!thread) throw new HttpError('NOT_FOUND', 'no such thread');
  if (thread.userId !== userId) throw new HttpError('FORBIDDEN', 'that thread belongs to another user');
  return thread;
}

async function renameThread(options: ThreadRouteOptions, maxTitleChars: number, req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray): Promise<void> {
  const thread = await ownThread(options, req, url, match);
  const body = await readJsonBody(req, { maxBytes: MAX_RENAME_BODY_BYTES });
  const raw = typeof body === 'object' && body !== null ? (body as { title?: unknown }).title : undefined;
  // Line breaks and runs of spaces would break the one-line list; they are folded, not refused.
  const title = typeof raw === 'string' ? raw.replace(/\s+/g, ' ').trim() : '';
  if (title === '') throw new HttpError('INVALID_MESSAGE', 'title must be a non-empty string');
  if (title.length > maxTitleChars) throw new HttpError('INVALID_MESSAGE', `title must be at most ${maxTitleChars} characters`);
  const renamed = await options.store.renameThread(thread.threadId, title);
  if (!renamed) throw new HttpError('NOT_FOUND', 'no such thread');
  send(res, 200, JSON.stringify({ thread: renamed }));
}

async function deleteThread(options: ThreadRouteOptions, req: IncomingMessage, res: ServerResponse, url: URL, match: RegExpMatchArray): Promise<void> {
  const thread = await ownThread(options, req, url, match);
  if (await hasRunGoing(options.store, thread)) throw new HttpError('THREAD_BUSY', 'a run is still going in this thread: stop it first');
  const deleted = await options.store.deleteThread(thread.threadId);
  if (!deleted) throw new HttpError('NOT_FOUND', 'no such thread');
  options.logger.info('thread deleted', { userId: thread.userId, threadId: thread.threadId });
  res.writeHead(204, { 'cache-control': 'no-store' });
  res.end();
}

/** Whether any run of the thread has events but no terminal event yet. */
async function hasRunGoing(store: EventStore, thread: ThreadRecord): Promise<boolean> {
  const open = new Set<string>();
  for (let after = 0; ; ) {
    const page = await store.readThread(thread.userId, thread.threadId, after, PAGE);
    for (const event of page) {
      if (isTerminalType(event.type)) open.delete(event.runId);
      else open.add(event.runId);
    }
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    after = last.seq;
  }
  return open.size > 0;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
