/**
 * useAgentThread(client, threadId): a thread's runs with their live events, the messages of the
 * conversation, and the connection state, for a React chat UI.
 *
 *   const thread = useAgentThread(client, threadId);
 *   thread.runs.map((run) => <Run key={run.runId} run={run} onCancel={() => thread.cancel(run.runId)} />);
 *   await thread.send('What is 17 * 23?');
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import type { AgentwireClient, ClientState } from '../client/index.js';
import { connectionStore, type ConnectionStatus } from './connection-store.js';
import type { RunState, RunStatus } from './thread-state.js';
import { threadStore, type ThreadSnapshot } from './thread-store.js';

export interface ThreadMessage {
  /** `${runId}:user` or `${runId}:assistant`. */
  id: string;
  role: 'user' | 'assistant';
  runId: string;
  text: string;
  status: RunStatus;
}

export interface AgentThread extends ThreadSnapshot {
  /** The conversation as alternating user and assistant messages, one pair per run. */
  messages: readonly ThreadMessage[];
  /** The client's connection state. */
  connection: ClientState;
  /** Sends in this thread; with threadId undefined, starts a new thread (see the result's threadId). */
  send: (text: string, options?: { agent?: string }) => Promise<{ runId: string; threadId: string }>;
  /** Cancels a run; resolves when its terminal event arrived. */
  cancel: (runId: string) => Promise<void>;
  /** Fetches the history again. */
  reload: () => void;
}

export function useAgentThread(client: AgentwireClient, threadId: string | undefined): AgentThread {
  const store = useMemo(() => threadStore(client, threadId), [client, threadId]);
  // The same snapshot on the server: server rendering shows the thread as empty, then hydrates.
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const connection = useAgentConnection(client).state;
  const send = useCallback((text: string, options?: { agent?: string }) => store.send(text, options), [store]);
  const cancel = useCallback((runId: string) => client.cancel(runId), [client]);
  const reload = useCallback(() => {
    store.reload();
  }, [store]);
  const messages = useMemo(() => snapshot.runs.flatMap(messagesOf), [snapshot.runs]);
  return useMemo(() => ({ ...snapshot, messages, connection, send, cancel, reload }), [snapshot, messages, connection, send, cancel, reload]);
}

/** The connection's state, reconnect countdown target and last resume, for a status line. */
export function useAgentConnection(client: AgentwireClient): ConnectionStatus {
  const store = useMemo(() => connectionStore(client), [client]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

function messagesOf(run: RunState): ThreadMessage[] {
  const out: ThreadMessage[] = [];
  if (run.userText !== undefined) out.push({ id: `${run.runId}:user`, role: 'user', runId: run.runId, text: run.userText, status: run.status });
  out.push({ id: `${run.runId}:assistant`, role: 'assistant', runId: run.runId, text: run.answer, status: run.status });
  return out;
}
