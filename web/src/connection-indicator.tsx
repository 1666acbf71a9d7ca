/**
 * Connected / reconnecting in Ns (counting down to the client's next attempt) / resumed N
 * events (for a few seconds after a resume). data-state carries the state for tests and CSS.
 */
import { useEffect, useState } from 'react';
import type { AgentwireClient } from 'agentwire/client';
import { useAgentConnection } from 'agentwire/react';

const RESUMED_SHOWN_MS = 5_000;

export function ConnectionIndicator({ client }: { client: AgentwireClient }) {
  const status = useAgentConnection(client);
  const now = useNow(status.state === 'reconnecting' || (status.resumed !== undefined && Date.now() - status.resumed.at < RESUMED_SHOWN_MS));

  let state: string;
  let label: string;
  let detail: string | undefined;
  if (status.state === 'reconnecting') {
    state = 'reconnecting';
    const seconds = status.reconnect ? Math.ceil(Math.max(0, status.reconnect.at - now) / 1000) : 0;
    label = seconds > 0 ? `Reconnecting in ${seconds}s` : 'Reconnecting…';
    detail = status.reconnect?.reason;
  } else if (status.state === 'connected') {
    const resumed = status.resumed;
    if (resumed && now - resumed.at < RESUMED_SHOWN_MS) {
      state = 'resumed';
      if (!resumed.recovered) label = 'Reconnected · history reloaded';
      else if (resumed.replayed === 0) label = 'Resumed · nothing missed';
      else label = `Resumed · ${resumed.replayed} event${resumed.replayed === 1 ? '' : 's'}`;
    } else {
      state = 'connected';
      label = 'Connected';
    }
  } else if (status.state === 'closed') {
    state = 'closed';
    label = 'Disconnected';
  } else {
    state = 'connecting';
    label = 'Connecting…';
  }

  return (
    <span
      className="connection"
      data-state={state}
      data-reconnect-at={state === 'reconnecting' ? status.reconnect?.at : undefined}
      data-testid="connection"
      role="status"
      aria-live="polite"
      title={detail}
    >
      <span className="dot" aria-hidden="true" />
      <span className="connection-label">{label}</span>
      {state === 'reconnecting' && (
        <button type="button" className="connection-retry" onClick={() => client.reconnectNow()}>
          Retry now
        </button>
      )}
    </span>
  );
}

/** The current time, re-read every 250 ms while `ticking`. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    setNow(Date.now());
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
