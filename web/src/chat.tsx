/** The signed-in page: header, thread list (a drawer on phones) and the selected thread. */
import { useCallback, useEffect, useState } from 'react';
import type { AgentwireClient } from 'agentwire/client';
import { ConnectionIndicator } from './connection-indicator.tsx';
import { initials } from './format.ts';
import { Logo } from './logo.tsx';
import { createClient, defaultAgentOf, servedBy, type ServerInfo, type Session } from './session.ts';
import { ThreadList } from './thread-list.tsx';
import { ThreadView } from './thread-view.tsx';
import { useThreads } from './use-threads.ts';

interface Props {
  session: Session;
  info: ServerInfo | undefined;
  onSignOut: () => void;
}

/** The selected thread lives in the URL (#thr_…), so a reload or a shared tab keeps it. */
function threadFromHash(): string | undefined {
  const id = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  return /^thr_[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
}

export function Chat({ session, info, onSignOut }: Props) {
  const [client, setClient] = useState<AgentwireClient>();
  const [fatal, setFatal] = useState<string>();
  const [threadId, setThreadId] = useState<string | undefined>(threadFromHash);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [agent, setAgent] = useState<string>();

  useEffect(() => {
    const made = createClient(session);
    setClient(made.client);
    made.client.connect().catch((error: unknown) => {
      setFatal(error instanceof Error ? error.message : String(error));
    });
    // The network is back: reconnect now rather than when the backoff says. The client does
    // this itself while it knows it is reconnecting; a socket that died silently while the
    // machine was offline still looks connected, and is replaced (with a resume) here too.
    const onOnline = () => made.client.reconnectNow();
    addEventListener('online', onOnline);
    return () => {
      removeEventListener('online', onOnline);
      made.dispose();
    };
  }, [session]);

  useEffect(() => {
    const onHash = () => setThreadId(threadFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // On phones the thread list is a drawer: Escape closes it.
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // Taken here, first (capture), so the same key press does not also stop a run.
      event.preventDefault();
      setDrawerOpen(false);
    };
    addEventListener('keydown', onKey, true);
    return () => removeEventListener('keydown', onKey, true);
  }, [drawerOpen]);

  const select = useCallback((id: string | undefined) => {
    setThreadId(id);
    setDrawerOpen(false);
    const hash = id === undefined ? '' : `#${id}`;
    if (location.hash !== hash) history.pushState(null, '', hash === '' ? location.pathname + location.search : hash);
  }, []);

  const threads = useThreads(client);
  const chosenAgent = agent ?? defaultAgentOf(info);
  const served = servedBy(info, chosenAgent);
  const current = threads.list?.find((t) => t.threadId === threadId);
  const heading = threadId === undefined ? 'New chat' : current?.title || 'Conversation';
  const { rename } = threads;
  const autoTitle = useCallback(
    (id: string, title: string) => {
      void rename(id, title).catch(() => undefined);
    },
    [rename],
  );

  return (
    <div className={drawerOpen ? 'app drawer-open' : 'app'}>
      <header className="topbar">
        <button type="button" className="icon-button menu-button" aria-label="Threads" aria-expanded={drawerOpen} aria-controls="sidebar" onClick={() => setDrawerOpen((open) => !open)}>
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
        </button>
        <Logo small />
        <h1 className="chat-heading" dir="auto" data-testid="chat-heading">
          {heading}
        </h1>
        <span className="model-badge" title={served.title} data-testid="model">
          {served.label}
        </span>
        <span className="spacer" />
        {client && <ConnectionIndicator client={client} />}
        <div className="user-chip" title={`Signed in as ${session.userId}`}>
          <span className="avatar" aria-hidden="true">
            {initials(session.name)}
          </span>
          <span className="user-name" data-testid="user">
            {session.userId}
          </span>
          <button type="button" className="link-button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <div className="layout">
        <aside id="sidebar" className="sidebar" aria-label="Threads">
          <button type="button" className="new-thread" onClick={() => select(undefined)}>
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
              <path d="M12 5v14M5 12h14" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
            </svg>
            New chat
          </button>
          <ThreadList threads={threads} selected={threadId} onSelect={select} />
        </aside>
        <button type="button" className="backdrop" aria-label="Close the thread list" tabIndex={-1} onClick={() => setDrawerOpen(false)} />
        {fatal ? (
          <main className="thread">
            <p className="banner error" role="alert">
              The connection was refused: {fatal}. <button type="button" className="link-button" onClick={onSignOut}>Sign in again</button>
            </p>
          </main>
        ) : client ? (
          <ThreadView
            key={threadId ?? 'new'}
            client={client}
            threadId={threadId}
            agents={info?.agents ?? []}
            agent={chosenAgent}
            onAgentChange={setAgent}
            onThreadCreated={(id) => {
              threads.refresh();
              select(id);
            }}
            storedTitle={current?.title}
            onAutoTitle={autoTitle}
          />
        ) : (
          <main className="thread" />
        )}
      </div>
    </div>
  );
}
