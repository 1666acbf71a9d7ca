/**
 * The user's threads for the sidebar. When the server is away, the last list it sent stays on
 * screen with `offline` set (a quiet note, not a red error): the threads did not go anywhere.
 * Refreshed when a run starts or ends and when the connection comes back.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AgentwireClient, ThreadSummary } from 'agentwire/client';

export interface Threads {
  list: ThreadSummary[] | undefined;
  /** The list could not be refreshed: what is shown is the last one that arrived. */
  offline: boolean;
  /** No list ever arrived, and the last attempt failed with this. */
  error: string | undefined;
  refresh: () => void;
  rename: (threadId: string, title: string) => Promise<void>;
  remove: (threadId: string) => Promise<void>;
}

export function useThreads(client: AgentwireClient | undefined): Threads {
  const [list, setList] = useState<ThreadSummary[]>();
  const [failure, setFailure] = useState<string>();
  const latest = useRef(0);

  const refresh = useCallback(() => {
    if (!client) return;
    const id = ++latest.current;
    client.threads().then(
      (threads) => {
        if (id !== latest.current) return;
        setList(threads);
        setFailure(undefined);
      },
      (e: unknown) => {
        if (id === latest.current) setFailure(e instanceof Error ? e.message : String(e));
      },
    );
  }, [client]);

  useEffect(() => {
    if (!client) return;
    refresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    };
    const offEvent = client.on('event', (event) => {
      if (event.type === 'agent_started' || event.type === 'agent_completed') soon();
    });
    const offConnected = client.on('connected', soon);
    // Losing the connection is worth one check: if the server is away, the list says it is
    // showing what it last saw (instead of claiming to be current).
    const offState = client.on('state', ({ to }) => {
      if (to === 'reconnecting') soon();
    });
    return () => {
      clearTimeout(timer);
      offEvent();
      offConnected();
      offState();
    };
  }, [client, refresh]);

  const rename = useCallback(
    async (threadId: string, title: string) => {
      if (!client) return;
      const renamed = await client.renameThread(threadId, title);
      setList((current) => current?.map((t) => (t.threadId === threadId ? { ...t, title: renamed.title } : t)));
    },
    [client],
  );

  const remove = useCallback(
    async (threadId: string) => {
      if (!client) return;
      await client.deleteThread(threadId);
      setList((current) => current?.filter((t) => t.threadId !== threadId));
    },
    [client],
  );

  return { list, offline: failure !== undefined && list !== undefined, error: list === undefined ? failure : undefined, refresh, rename, remove };
}
