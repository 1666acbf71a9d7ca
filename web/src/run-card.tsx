/**
 * One run: the user's message, the agent's steps (open while it works, folded to one line after),
 * the answer rendered as Markdown as it streams, and how the run ended.
 *
 * Every element that shows an event carries that event's seq in data-seq, once: the browser
 * tests read them back to prove that each event reached the page exactly once. The answer is
 * rendered from the joined text, so its deltas are marked by empty, hidden seq markers.
 */
import { useEffect, useRef, useState } from 'react';
import type { RunState, RunStatus } from 'agentwire/react';
import { Expandable, LONG_MESSAGE_CHARS, LONG_MESSAGE_LINES } from './expandable.tsx';
import { Markdown } from './markdown.tsx';
import { RunOutcome } from './run-outcome.tsx';
import { RunSteps } from './run-steps.tsx';

const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  error: 'Failed',
  died: 'Ended',
};

/**
 * A live run silent this long reads as waiting rather than running: a crashed agent or server
 * sends nothing, and a blinking caret would claim otherwise until the death is detected.
 */
export const STALL_MS = 4_000;

interface Props {
  run: RunState;
  /** false while the connection is away: a live run then waits for it. */
  online: boolean;
  onCancel: () => Promise<void>;
  /** Sends the run's message again; absent where the reader cannot send (another user's thread). */
  onRetry: ((run: RunState) => void) | undefined;
}

export function RunCard({ run, online, onCancel, onRetry }: Props) {
  const [cancelling, setCancelling] = useState(false);
  const live = run.status === 'queued' || run.status === 'running';
  const stalled = useStalled(run, live);
  const waiting = live && (!online || stalled);
  const progress = live ? run.progress : undefined;

  const cancel = () => {
    setCancelling(true);
    onCancel().catch(() => setCancelling(false));
  };

  return (
    <article className="run" data-run-id={run.runId} data-status={run.status} data-waiting={waiting ? 'true' : undefined} aria-label={`Run: ${run.userText ?? run.runId}`}>
      {run.userText !== undefined && (
        <div className="user-message">
          <Expandable as="p" text={run.userText} chars={LONG_MESSAGE_CHARS} lines={LONG_MESSAGE_LINES} />
        </div>
      )}
      <section className="agent-card" aria-label={`${run.agentName ?? 'agent'} response`}>
        <header className="agent-header">
          <span className="agent-avatar" aria-hidden="true">
            {(run.agentName ?? 'a').slice(0, 1).toUpperCase()}
          </span>
          <span className="agent-name">{run.agentName ?? 'agent'}</span>
          <span className={`chip status-${waiting ? 'waiting' : run.status}`} data-testid="run-status">
            {waiting ? (online ? 'Waiting for the agent…' : 'Waiting for the connection…') : STATUS_LABEL[run.status]}
          </span>
          <span className="spacer" />
          {live && (
            <button type="button" className="cancel" onClick={cancel} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </header>
        {progress !== undefined && (
          <div className="run-progress" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)}>
            <span style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
        )}
        <RunSteps run={run} live={live} />
        <div className="answer" aria-live="polite" aria-atomic="false" data-testid="answer">
          <Markdown text={run.answer} />
          {run.status === 'running' && !waiting && <span className="caret" aria-hidden="true" />}
          <span className="answer-seqs" hidden>
            {run.answerParts.map((part) => (
              <span key={part.seq} data-seq={part.seq} />
            ))}
          </span>
        </div>
        <RunOutcome run={run} onRetry={onRetry && (() => onRetry(run))} />
      </section>
    </article>
  );
}

/**
 * true once a live run has sent nothing for STALL_MS, timed on this page's clock from when its
 * last event arrived here (the server's timestamps may be skewed); re-checked every second.
 */
function useStalled(run: RunState, live: boolean): boolean {
  const count = run.events.length;
  // A ref, not state: setting state in an effect on every event made each event cost a second
  // render, and a fast replay (hundreds of frames back to back) starved that render until React
  // stopped with "Maximum update depth exceeded". The once-a-second tick re-reads it.
  const last = useRef({ count, at: Date.now() });
  if (last.current.count !== count) last.current = { count, at: Date.now() };
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);
  return live && now - last.current.at > STALL_MS;
}
