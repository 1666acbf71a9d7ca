/**
 * One run: the user's message, then the agent's timeline (thinking steps, tool calls with
 * arguments, result and duration), the answer as it streams, and how the run ended.
 *
 * Every element that shows an event carries that event's seq in data-seq, once: the browser
 * tests read them back to prove that each event reached the page exactly once.
 */
import { useState } from 'react';
import type { RunState, RunStatus, TimelineItem, ToolCallState } from 'agentwire/react';
import { formatArgs, formatDuration, formatResult, formatValue, summarizeResult } from './format.ts';

const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  cancelled: 'Cancelled',
  error: 'Error',
  died: 'Died',
};

export function RunCard({ run, onCancel }: { run: RunState; onCancel: () => Promise<void> }) {
  const [cancelling, setCancelling] = useState(false);
  const live = run.status === 'queued' || run.status === 'running';
  const progress = live ? run.progress : undefined;

  const cancel = () => {
    setCancelling(true);
    onCancel().catch(() => setCancelling(false));
  };

  return (
    <article className="run" data-run-id={run.runId} data-status={run.status} aria-label={`Run: ${run.userText ?? run.runId}`}>
      {run.userText !== undefined && (
        <div className="user-message">
          <p>{run.userText}</p>
        </div>
      )}
      <section className="agent-card" aria-label={`${run.agentName ?? 'agent'} response`}>
        <header className="agent-header">
          <span className="agent-avatar" aria-hidden="true">
            {(run.agentName ?? 'a').slice(0, 1).toUpperCase()}
          </span>
          <span className="agent-name">{run.agentName ?? 'agent'}</span>
          <span className={`chip status-${run.status}`} data-testid="run-status">
            {STATUS_LABEL[run.status]}
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
        {run.timeline.length > 0 && (
          <details className="timeline-wrap" open>
            <summary>
              {live ? 'Working · ' : ''}
              {run.timeline.length} step{run.timeline.length === 1 ? '' : 's'}
            </summary>
            <ol className="timeline" aria-label="Steps">
              {run.timeline.map((item) => (
                <TimelineEntry key={`${item.kind}:${item.seq}`} item={item} />
              ))}
            </ol>
          </details>
        )}
        <div className="answer" aria-live="polite" aria-atomic="false" data-testid="answer">
          {run.answerParts.map((part) => (
            <span key={part.seq} data-seq={part.seq}>
              {part.text}
            </span>
          ))}
          {live && run.status === 'running' && <span className="caret" aria-hidden="true" />}
        </div>
        <RunOutcome run={run} />
      </section>
    </article>
  );
}

function TimelineEntry({ item }: { item: TimelineItem }) {
  switch (item.kind) {
    case 'started':
      return (
        <li className="step step-started" data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text">Started</span>
          <time className="step-meta" dateTime={item.ts}>
            {new Date(item.ts).toLocaleTimeString()}
          </time>
        </li>
      );
    case 'queued':
      return (
        <li className="step step-queued" data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text">{item.message}</span>
        </li>
      );
    case 'thinking':
      return (
        <li className="step step-thinking" data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text">
            {item.step.step !== undefined && <span className="step-number">Step {item.step.step}</span>}
            {item.step.reasoning}
          </span>
          {item.step.progress !== undefined && (
            <span className="step-progress" title={`${Math.round(item.step.progress * 100)}%`}>
              <span style={{ width: `${Math.round(item.step.progress * 100)}%` }} />
            </span>
          )}
        </li>
      );
    case 'progress':
      return (
        <li className="step step-progress-update" data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text">{item.message}</span>
          {item.progress !== undefined && <span className="step-meta">{Math.round(item.progress * 100)}%</span>}
        </li>
      );
    case 'tool':
      return <ToolEntry tool={item.tool} />;
  }
}

function ToolEntry({ tool }: { tool: ToolCallState }) {
  const running = tool.status === 'running';
  return (
    <li className={`step step-tool tool-${tool.status}`} data-seq={tool.seq} data-tool={tool.toolName}>
      <span className="step-icon" aria-hidden="true" />
      <div className="tool">
        <div className="tool-head">
          <span className="tool-name">{tool.toolName}</span>
          <span className={`chip tool-status status-${tool.status}`}>{running ? 'running' : tool.status}</span>
          {tool.durationMs !== undefined && (
            <span className="step-meta tool-duration" data-testid="tool-duration">
              {formatDuration(tool.durationMs)}
            </span>
          )}
        </div>
        <dl className="tool-io">
          <dt>Arguments</dt>
          <dd>
            <code className="tool-args" title={formatValue(tool.args)}>
              {formatArgs(tool.args)}
            </code>
          </dd>
          {tool.completedSeq !== undefined && (
            <>
              <dt>{tool.status === 'success' ? 'Result' : 'Error'}</dt>
              <dd data-seq={tool.completedSeq}>
                <ToolOutput tool={tool} />
              </dd>
            </>
          )}
        </dl>
      </div>
    </li>
  );
}

/** The result (or error); a long one folds into a headline that opens to the whole value. */
function ToolOutput({ tool }: { tool: ToolCallState }) {
  if (tool.status !== 'success') return <code className="tool-error">{tool.error ?? tool.status}</code>;
  const summary = summarizeResult(tool.result);
  if (summary === undefined) return <code className="tool-result">{formatResult(tool.result)}</code>;
  return (
    <details className="tool-output">
      <summary>{summary}</summary>
      <code className="tool-result">{formatResult(tool.result)}</code>
    </details>
  );
}

function RunOutcome({ run }: { run: RunState }) {
  const terminal = run.terminal;
  if (!terminal) return null;
  let text: string;
  switch (terminal.type) {
    case 'agent_completed':
      text = `Completed in ${formatDuration(terminal.data.durationMs)}`;
      break;
    case 'agent_error':
      text = terminal.data.code === 'cancelled' ? `Cancelled after ${formatDuration(terminal.data.durationMs)}` : `Failed · ${terminal.data.code}: ${terminal.data.message}`;
      break;
    case 'agent_death':
      text = `The agent died · ${terminal.data.cause}: ${terminal.data.message}`;
      break;
  }
  return (
    <footer className={`run-outcome outcome-${run.status}`} data-seq={terminal.seq} data-testid="run-outcome">
      {text}
    </footer>
  );
}
