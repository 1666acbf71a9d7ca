/**
 * How a run ended, in plain words, with Retry when it did not complete. The codes stay in the
 * element's title and data attributes for whoever needs them; a person reads what happened.
 */
import type { RunState } from 'agentwire/react';
import { formatDuration } from './format.ts';

const ERROR_WORDS: Record<string, string> = {
  timeout: 'The agent took too long, so the run was stopped.',
  shutdown: 'The server was shutting down, so the run was stopped.',
  store_unavailable: 'The server could not save the run, so it was stopped.',
  provider_error: 'The model service answered with an error.',
  provider_unreachable: 'The model service could not be reached.',
  provider_auth: 'The model service refused the server’s credentials.',
  rate_limited: 'The model service is busy (rate limited). Try again in a moment.',
};

const DEATH_WORDS: Record<string, string> = {
  no_heartbeat: 'The agent stopped responding, so the run was ended.',
  node_lost: 'The server running this agent went away (a restart or a crash), so the run was ended.',
};

/** The sentence for a run's end. */
export function outcomeText(run: RunState): string | undefined {
  const terminal = run.terminal;
  if (!terminal) return undefined;
  switch (terminal.type) {
    case 'agent_completed':
      return `Completed in ${formatDuration(terminal.data.durationMs)}`;
    case 'agent_error':
      if (terminal.data.code === 'cancelled') return `Cancelled after ${formatDuration(terminal.data.durationMs)}`;
      return ERROR_WORDS[terminal.data.code] ?? `The agent ran into a problem: ${terminal.data.message}`;
    case 'agent_death':
      return DEATH_WORDS[terminal.data.cause] ?? `The run ended unexpectedly: ${terminal.data.message}`;
  }
}

function technical(run: RunState): string | undefined {
  const terminal = run.terminal;
  if (terminal?.type === 'agent_error') return `${terminal.data.code}: ${terminal.data.message}`;
  if (terminal?.type === 'agent_death') return `${terminal.data.cause}: ${terminal.data.message}`;
  return undefined;
}

export function RunOutcome({ run, onRetry }: { run: RunState; onRetry: (() => void) | undefined }) {
  const text = outcomeText(run);
  if (text === undefined || !run.terminal) return null;
  const failed = run.status !== 'completed';
  return (
    <footer className={`run-outcome outcome-${run.status}`} data-seq={run.terminal.seq} title={technical(run)}>
      <span data-testid="run-outcome">{text}</span>
      {failed && onRetry && (
        <button type="button" className="retry" onClick={onRetry}>
          Retry
        </button>
      )}
    </footer>
  );
}
