/** The HTTP side of the SDK: thread lists and thread history, for rebuilding after recovered: false. */
import { envelopeProblem } from '../protocol/envelope-check.js';
import type { AgentEvent } from '../protocol/events.js';
import { AgentwireClientError } from './client-error.js';
import { resolveToken, type TokenSource } from './transport.js';

export interface ThreadSummary {
  threadId: string;
  userId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
}

export interface ThreadHistory {
  thread: ThreadSummary;
  epoch: string;
  /** The thread's retained events, in seq order. */
  events: AgentEvent[];
  /** More events after the last one: ask again with afterSeq. */
  hasMore: boolean;
}

export class HistoryApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: TokenSource,
    private readonly fetchImpl: typeof fetch,
  ) {}

  async threads(): Promise<ThreadSummary[]> {
    return (await this.#get<{ threads: ThreadSummary[] }>('/api/threads')).threads;
  }

  async thread(threadId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ThreadHistory> {
    const query = new URLSearchParams();
    if (options.afterSeq !== undefined) query.set('afterSeq', String(options.afterSeq));
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    const history = await this.#get<ThreadHistory>(`/api/threads/${encodeURIComponent(threadId)}/events${suffix}`);
    checkHistory(history);
    return history;
  }

  /** Every retained event of a thread, following hasMore. */
  async fullThread(threadId: string): Promise<ThreadHistory> {
    const first = await this.thread(threadId);
    const events = [...first.events];
    let page = first;
    while (page.hasMore && events.length > 0) {
      page = await this.thread(threadId, { afterSeq: (events[events.length - 1] as AgentEvent).seq });
      events.push(...page.events);
    }
    return { ...first, events, hasMore: false };
  }

  /** Renames one of the user's threads; returns it as stored. */
  async renameThread(threadId: string, title: string): Promise<ThreadSummary> {
    const body = JSON.stringify({ title });
    return (await this.#request<{ thread: ThreadSummary }>('PATCH', `/api/threads/${encodeURIComponent(threadId)}`, body)).thread;
  }

  /** Deletes one of the user's threads with its events. */
  async deleteThread(threadId: string): Promise<void> {
    await this.#request('DELETE', `/api/threads/${encodeURIComponent(threadId)}`);
  }

  #get<T>(path: string): Promise<T> {
    return this.#request<T>('GET', path);
  }

  async #request<T>(method: string, path: string, body?: string): Promise<T> {
    const token = await resolveToken(this.token);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const answer = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      const code = answer.error?.code;
      throw new AgentwireClientError(
        code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'UNAUTHORIZED' ? code : 'HTTP_ERROR',
        answer.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return answer as T;
  }
}

/** The events are checked like those on the socket: a malformed one fails the call, it is not cast. */
function checkHistory(history: ThreadHistory): void {
  const events: unknown = (history as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new AgentwireClientError('PROTOCOL_ERROR', 'the history answer has no events array');
  for (const [i, event] of events.entries()) {
    const problem = envelopeProblem(event);
    if (problem !== undefined) throw new AgentwireClientError('PROTOCOL_ERROR', `history event ${i} is malformed: ${problem}`);
  }
}

/** ws://host/ws → http://host */
export function httpBaseFromWsUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/ws\/?$/, '');
  url.search = '';
  return url.toString().replace(/\/$/, '');
}
