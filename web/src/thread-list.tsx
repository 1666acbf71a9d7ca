import type { ThreadSummary } from 'agentwire/client';
import { relativeTime } from './format.ts';

interface Props {
  threads: ThreadSummary[] | undefined;
  error: string | undefined;
  selected: string | undefined;
  onSelect: (threadId: string) => void;
}

export function ThreadList({ threads, error, selected, onSelect }: Props) {
  if (error) return <p className="sidebar-note error" role="alert">Threads could not be loaded: {error}</p>;
  if (!threads) return <p className="sidebar-note">Loading threads…</p>;
  if (threads.length === 0) return <p className="sidebar-note">No conversations yet. Ask something to start one.</p>;
  return (
    <nav aria-label="Conversations">
      <ul className="thread-list" data-testid="thread-list">
        {threads.map((thread) => (
          <li key={thread.threadId}>
            <button
              type="button"
              className="thread-item"
              aria-current={thread.threadId === selected ? 'page' : undefined}
              data-thread-id={thread.threadId}
              onClick={() => onSelect(thread.threadId)}
            >
              <span className="thread-title">{thread.title || 'Untitled'}</span>
              <time className="thread-time" dateTime={new Date(thread.updatedAt).toISOString()}>
                {relativeTime(thread.updatedAt)}
              </time>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
