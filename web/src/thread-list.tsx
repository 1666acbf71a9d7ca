/**
 * The sidebar's conversations: a search box, the list (kept as last seen when the server is
 * away, with a quiet note), and for the open thread Rename and Delete.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import type { ThreadSummary } from 'agentwire/client';
import { relativeTime } from './format.ts';
import type { Threads } from './use-threads.ts';

interface Props {
  threads: Threads;
  selected: string | undefined;
  onSelect: (threadId: string | undefined) => void;
}

export function ThreadList({ threads, selected, onSelect }: Props) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  if (threads.error) return <p className="sidebar-note">The conversations cannot be loaded right now; they will appear when the server is back.</p>;
  if (!threads.list) return <p className="sidebar-note">Loading threads…</p>;
  const needle = query.trim().toLowerCase();
  const shown = needle === '' ? threads.list : threads.list.filter((t) => (t.title || 'Untitled').toLowerCase().includes(needle));
  return (
    <nav aria-label="Conversations" className="thread-nav">
      {threads.list.length > 0 && (
        <>
          <label htmlFor={searchId} className="visually-hidden">
            Search conversations
          </label>
          <input id={searchId} type="search" className="thread-search" placeholder="Search conversations" value={query} onChange={(e) => setQuery(e.target.value)} />
        </>
      )}
      {threads.offline && (
        <p className="sidebar-note offline-note" data-testid="threads-offline" role="status">
          Offline · showing the list as last seen
        </p>
      )}
      {threads.list.length === 0 && <p className="sidebar-note">No conversations yet. Ask something to start one.</p>}
      {threads.list.length > 0 && shown.length === 0 && <p className="sidebar-note">No conversation matches “{query.trim()}”.</p>}
      <ul className="thread-list" data-testid="thread-list">
        {shown.map((thread) => (
          <ThreadItem key={thread.threadId} thread={thread} selected={thread.threadId === selected} threads={threads} onSelect={onSelect} />
        ))}
      </ul>
    </nav>
  );
}

type Mode = 'view' | 'rename' | 'confirm-delete';

function ThreadItem({ thread, selected, threads, onSelect }: { thread: ThreadSummary; selected: boolean; threads: Threads; onSelect: Props['onSelect'] }) {
  const [mode, setMode] = useState<Mode>('view');
  const [draft, setDraft] = useState(thread.title);
  const [problem, setProblem] = useState<string>();
  const title = thread.title || 'Untitled';

  const act = (work: Promise<void>, after: () => void) => {
    setProblem(undefined);
    work.then(after, (e: unknown) => setProblem(e instanceof Error ? e.message : String(e)));
  };
  const saveRename = () => {
    const next = draft.replace(/\s+/g, ' ').trim();
    if (next === '' || next === thread.title) {
      setMode('view');
      return;
    }
    act(threads.rename(thread.threadId, next), () => setMode('view'));
  };
  const onRenameKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') saveRename();
    if (event.key === 'Escape') {
      // The page's Escape (Stop, closing the drawer) must not fire too.
      event.preventDefault();
      setMode('view');
    }
  };

  return (
    <li className={selected ? 'thread-row selected' : 'thread-row'} data-row-thread-id={thread.threadId}>
      {mode === 'rename' ? (
        <input className="thread-rename" aria-label="New name" value={draft} maxLength={120} autoFocus onChange={(e) => setDraft(e.target.value)} onKeyDown={onRenameKey} onBlur={saveRename} dir="auto" />
      ) : (
        <button type="button" className="thread-item" aria-current={selected ? 'page' : undefined} data-thread-id={thread.threadId} onClick={() => onSelect(thread.threadId)}>
          <span className="thread-title" dir="auto">
            {title}
          </span>
          <time className="thread-time" dateTime={new Date(thread.updatedAt).toISOString()}>
            {relativeTime(thread.updatedAt)}
          </time>
        </button>
      )}
      {selected && mode === 'view' && (
        <span className="thread-actions">
          <button type="button" className="link-button" aria-label={`Rename “${title}”`} onClick={() => { setDraft(thread.title); setMode('rename'); }}>
            Rename
          </button>
          <button type="button" className="link-button danger" aria-label={`Delete “${title}”`} onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </span>
      )}
      {mode === 'confirm-delete' && (
        <span className="thread-actions confirm" role="group" aria-label="Delete this conversation?">
          <span>Delete for good?</span>
          <button type="button" className="link-button danger" onClick={() => act(threads.remove(thread.threadId), () => onSelect(undefined))}>
            Delete
          </button>
          <button type="button" className="link-button" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      )}
      {problem && (
        <p className="sidebar-note error" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}
