/**
 * The message box: Enter sends, Shift+Enter adds a line; an agent picker when there is a choice.
 * While a run is going, Stop sits next to Send (and Escape does the same): always in view, unlike
 * a run card's own Cancel, which auto-scroll pushes off-screen.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ClientState } from 'agentwire/client';

interface Props {
  agents: { name: string; description: string }[];
  /** The agent picked in the list (kept by the page, so it survives switching threads). */
  agent: string | undefined;
  onAgentChange: (agent: string) => void;
  connection: ClientState;
  error: string | undefined;
  onDismissError: () => void;
  onSend: (text: string, agent: string | undefined) => Promise<boolean>;
  /** A run of this thread is going: Stop is shown and Escape stops it. */
  running: boolean;
  onStop: () => void;
  /** Why nothing can be sent here (another user's thread): the box is disabled and says so, once. */
  disabledReason?: string | undefined;
}

export function Composer({ agents, agent, onAgentChange, connection, error, onDismissError, onSend, running, onStop, disabledReason }: Props) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const textId = useId();
  const agentId = useId();

  useEffect(() => {
    box.current?.focus();
  }, []);

  // Grow with the text, up to a limit set in CSS.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Empty, it is one line (a long placeholder must not make it grow).
    el.style.height = 'auto';
    el.style.height = text === '' ? '' : `${el.scrollHeight}px`;
  }, [text]);

  const submit = (event?: { preventDefault: () => void }) => {
    event?.preventDefault();
    const trimmed = text.trim();
    if (trimmed === '' || busy) return;
    setBusy(true);
    setText('');
    void onSend(trimmed, agents.length > 1 ? agent : undefined).then((ok) => {
      setBusy(false);
      if (!ok) setText(trimmed);
      box.current?.focus();
    });
  };

  // Escape stops the run from anywhere on the page, unless something else (the phone drawer)
  // already used that key press.
  useEffect(() => {
    if (!running) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) onStop();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [running, onStop]);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  return (
    <form className="composer" onSubmit={submit}>
      {error && (
        <p className="composer-error" role="alert">
          {error}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismissError}>
            ×
          </button>
        </p>
      )}
      {disabledReason !== undefined && (
        <p className="composer-note composer-disabled" role="status">
          {disabledReason}
        </p>
      )}
      {connection === 'reconnecting' && disabledReason === undefined && <p className="composer-note">Offline for a moment: what you send now goes out when the connection is back.</p>}
      <div className="composer-row">
        {agents.length > 1 && (
          <>
            <label htmlFor={agentId} className="visually-hidden">
              Agent
            </label>
            <select id={agentId} className="agent-picker" value={agent} disabled={disabledReason !== undefined} onChange={(e) => onAgentChange(e.target.value)}>
              {agents.map((a) => (
                <option key={a.name} value={a.name} title={a.description}>
                  {a.name}
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor={textId} className="visually-hidden">
          Message
        </label>
        <textarea
          id={textId}
          ref={box}
          rows={1}
          value={text}
          placeholder={agents.length > 1 && agent !== undefined ? `Message ${agent}…` : 'Ask something, e.g. What is 17 * 23?'}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          maxLength={32_000}
          dir="auto"
          disabled={disabledReason !== undefined}
        />
        {running && (
          <button type="button" className="stop" onClick={onStop} aria-label="Stop" title="Stop the run (Esc)" aria-keyshortcuts="Escape">
            <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
              <rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor" />
            </svg>
          </button>
        )}
        <button type="submit" className="primary send" disabled={busy || text.trim() === '' || disabledReason !== undefined} aria-label="Send">
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path d="M4 12l16-8-6 16-2.5-6.5z" fill="currentColor" />
          </svg>
        </button>
      </div>
    </form>
  );
}
