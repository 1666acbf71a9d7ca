/** One conversation: its runs as cards, an empty state with suggestions, and the message box. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AgentwireClient } from 'agentwire/client';
import { useAgentThread, type RunState } from 'agentwire/react';
import { Composer } from './composer.tsx';
import { isDefaultTitle, titleFromExchange } from './format.ts';
import { RunCard } from './run-card.tsx';

interface Props {
  client: AgentwireClient;
  threadId: string | undefined;
  agents: { name: string; description: string }[];
  agent: string | undefined;
  onAgentChange: (agent: string) => void;
  onThreadCreated: (threadId: string) => void;
  /** The thread's title as the list last had it. */
  storedTitle: string | undefined;
  /** Names the thread from its first exchange, once its first run completed. */
  onAutoTitle: (threadId: string, title: string) => void;
}

const SUGGESTIONS = ['What is 17 * 23?', 'What time is it in Tokyo?', 'How does agentwire resume after a reconnect?'];

export function ThreadView({ client, threadId, agents, agent, onAgentChange, onThreadCreated, storedTitle, onAutoTitle }: Props) {
  const thread = useAgentThread(client, threadId);
  useAutoTitle(threadId, thread.runs[0], storedTitle, onAutoTitle);
  const [sendError, setSendError] = useState<string>();
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  // Follow the conversation as it grows, unless the reader scrolled up to read something.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  const send = async (text: string, agent: string | undefined) => {
    setSendError(undefined);
    pinned.current = true;
    try {
      const accepted = await thread.send(text, agent === undefined ? {} : { agent });
      if (threadId === undefined) onThreadCreated(accepted.threadId);
      return true;
    } catch (error) {
      setSendError(error instanceof Error ? error.message : String(error));
      return false;
    }
  };

  const liveRuns = thread.runs.filter((run) => run.status === 'queued' || run.status === 'running');
  const { cancel } = thread;
  const liveIds = liveRuns.map((run) => run.runId).join(' ');
  const stop = useCallback(() => {
    for (const runId of liveIds.split(' ').filter(Boolean)) void cancel(runId).catch(() => undefined);
  }, [cancel, liveIds]);
  const forbidden = (thread.error as { code?: unknown } | undefined)?.code === 'FORBIDDEN';
  const retry = forbidden ? undefined : (run: RunState) => {
    if (run.userText !== undefined) void send(run.userText, run.agentName);
  };

  const empty = thread.runs.length === 0 && thread.sending.length === 0;
  return (
    <main className="thread" aria-busy={thread.loading} data-thread-id={threadId ?? ''}>
      <div className="scroller" ref={scroller}>
        <div className="runs">
          {thread.error && <LoadError error={thread.error} onRetry={thread.reload} />}
          {empty && !thread.loading && !thread.error && (
            <div className="empty">
              <h2>{threadId === undefined ? 'What can I help with?' : 'This conversation is empty'}</h2>
              <p className="muted">Every step the agent takes shows up here as it happens: its thinking, each tool call, the answer as it streams.</p>
              <div className="suggestions">
                {SUGGESTIONS.map((text) => (
                  <button key={text} type="button" className="suggestion" onClick={() => void send(text, agents.length > 1 ? agent : undefined)}>
                    {text}
                  </button>
                ))}
              </div>
            </div>
          )}
          {empty && thread.loading && <p className="muted center">Loading the conversation…</p>}
          {thread.runs.map((run) => (
            <RunCard key={run.runId} run={run} online={thread.connection === 'connected'} onCancel={() => thread.cancel(run.runId)} onRetry={retry} />
          ))}
          {thread.sending.map((pending) => (
            <article key={pending.id} className="run sending" aria-label="Message being sent">
              <div className="user-message">
                <p dir="auto">{pending.text}</p>
              </div>
              <p className="muted small">Sending…</p>
            </article>
          ))}
        </div>
      </div>
      <Composer
        agents={agents}
        agent={agent}
        onAgentChange={onAgentChange}
        connection={thread.connection}
        error={sendError}
        onDismissError={() => setSendError(undefined)}
        onSend={send}
        running={liveRuns.length > 0}
        onStop={stop}
        disabledReason={forbidden ? 'This conversation belongs to another user, so you cannot write in it. Start a new chat instead.' : undefined}
      />
    </main>
  );
}

function LoadError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const code = (error as { code?: unknown }).code;
  // The composer says it, once, where the reader would type.
  if (code === 'FORBIDDEN') return null;
  if (code === 'NOT_FOUND') {
    return (
      <p className="banner error" role="alert">
        There is no such conversation. Start a new one below.
      </p>
    );
  }
  return (
    <p className="banner error" role="alert">
      This conversation could not be loaded: {error.message}{' '}
      <button type="button" className="link-button" onClick={onRetry}>
        Try again
      </button>
    </p>
  );
}

/**
 * Once the thread's first run completed and its title is still the server's (the message cut at
 * 80 characters), names it from the exchange. Another tab may do the same: the title is the same.
 */
function useAutoTitle(threadId: string | undefined, first: RunState | undefined, storedTitle: string | undefined, onAutoTitle: Props['onAutoTitle']): void {
  const question = first?.userText;
  const done = first?.status === 'completed';
  const answer = first?.answer ?? '';
  useEffect(() => {
    if (threadId === undefined || !done || question === undefined || !isDefaultTitle(storedTitle, question)) return;
    const title = titleFromExchange(question, answer);
    if (title !== storedTitle) onAutoTitle(threadId, title);
  }, [threadId, done, question, answer, storedTitle, onAutoTitle]);
}
