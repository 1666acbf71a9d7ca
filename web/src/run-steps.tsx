/**
 * A run's steps: thinking, tool calls with their arguments and results, progress. While the run
 * goes they are open; once it ends they fold into one line ("Worked 2 s · 3 steps ·
 * calculator") that opens on click, so the answer is what the reader sees first.
 */
import { useEffect, useRef, useState } from 'react';
import type { RunState, TimelineItem, ToolCallState } from 'agentwire/react';
import { Expandable, LONG_VALUE_CHARS } from './expandable.tsx';
import { formatArgs, formatDuration, formatResult, summarizeResult } from './format.ts';

/** "Worked 2 s · 3 steps · calculator, clock" for an ended run; "Working · 3 steps" while live. */
export function stepsSummary(run: RunState, live: boolean): string {
  const steps = `${run.timeline.length} step${run.timeline.length === 1 ? '' : 's'}`;
  if (live) return `Working · ${steps}`;
  const tools = [...new Set(run.tools.map((t) => t.toolName))];
  const took = run.startedAt !== undefined && run.endedAt !== undefined ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : undefined;
  return [took === undefined ? 'Worked' : `Worked ${formatDuration(took)}`, steps, ...(tools.length > 0 ? [tools.join(', ')] : [])].join(' · ');
}

export function RunSteps({ run, live }: { run: RunState; live: boolean }) {
  const [open, setOpen] = useState(live);
  const wasLive = useRef(live);
  // Fold once, when the run ends; after that the reader's clicks decide.
  useEffect(() => {
    if (wasLive.current && !live) setOpen(false);
    if (!wasLive.current && live) setOpen(true);
    wasLive.current = live;
  }, [live]);
  if (run.timeline.length === 0) return null;
  const last = run.timeline[run.timeline.length - 1];
  return (
    // Opened and closed through state only: a native toggle event arrives a task later and
    // could undo the fold that happened in between.
    <details className="timeline-wrap" open={open} data-testid="steps">
      <summary
        data-testid="steps-summary"
        onClick={(event) => {
          event.preventDefault();
          setOpen(!open);
        }}
      >
        {stepsSummary(run, live)}
      </summary>
      <ol className="timeline" aria-label="Steps">
        {run.timeline.map((item) => (
          <TimelineEntry key={`${item.kind}:${item.seq}`} item={item} done={!live || item !== last} />
        ))}
      </ol>
    </details>
  );
}

/** `done`: a later step exists or the run ended, so its progress reads as complete. */
function TimelineEntry({ item, done }: { item: TimelineItem; done: boolean }) {
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
    case 'thinking': {
      const progress = done ? 1 : item.step.progress;
      return (
        <li className={done ? 'step step-thinking step-done' : 'step step-thinking'} data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text" dir="auto">
            {item.step.step !== undefined && (
              <span className="step-number">
                Step {item.step.step}
                {/* Read as "Step 1, Reading…": without it a screen reader runs the two together. */}
                <span className="visually-hidden">, </span>
              </span>
            )}
            {item.step.reasoning}
          </span>
          {progress !== undefined && (
            <span className="step-progress" title={done ? 'Done' : `${Math.round(progress * 100)}%`} data-progress={Math.round(progress * 100)}>
              <span style={{ width: `${Math.round(progress * 100)}%` }} />
            </span>
          )}
        </li>
      );
    }
    case 'progress':
      return (
        <li className="step step-progress-update" data-seq={item.seq}>
          <span className="step-icon" aria-hidden="true" />
          <span className="step-text" dir="auto">
            {item.message}
          </span>
          {item.progress !== undefined && <span className="step-meta">{done ? 100 : Math.round(item.progress * 100)}%</span>}
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
            <Expandable as="code" className="tool-args" text={formatArgs(tool.args)} chars={LONG_VALUE_CHARS} lines={6} />
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
  if (tool.status !== 'success') return <Expandable as="code" className="tool-error" text={tool.error ?? tool.status} chars={LONG_VALUE_CHARS} lines={6} />;
  const summary = summarizeResult(tool.result);
  if (summary === undefined) return <code className="tool-result">{formatResult(tool.result)}</code>;
  return (
    <details className="tool-output">
      <summary>{summary}</summary>
      <code className="tool-result">{formatResult(tool.result)}</code>
    </details>
  );
}
