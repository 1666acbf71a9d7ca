/**
 * One run's agentwire events, as AG-UI events. Stateful: AG-UI brackets what agentwire streams
 * flat (a text message has a start and an end, a reasoning message lives in a span), so the
 * translator opens a bracket at the first event that needs it and closes it at the first event
 * that does not belong in it, and closes everything before the run's terminal event. The output
 * passes @ag-ui/client's own event verification (test/ai/ag-ui.test.ts).
 *
 *   agent_started         (nothing: RUN_STARTED was sent when the run was accepted)
 *   agent_thinking        REASONING_START, REASONING_MESSAGE_START, REASONING_MESSAGE_CONTENT…;
 *                         consecutive thoughts with the same `step` are one reasoning message
 *   agent_message_delta   TEXT_MESSAGE_START, TEXT_MESSAGE_CONTENT…
 *   tool_executing        TOOL_CALL_START, TOOL_CALL_ARGS (the whole arguments), TOOL_CALL_END
 *   tool_completed        TOOL_CALL_RESULT (the result, or {status, error}, as JSON text)
 *   progress_update       ACTIVITY_SNAPSHOT (activityType "progress"; each one replaces the last)
 *   agent_completed       RUN_FINISHED { result, usage? }
 *   agent_error           RUN_ERROR { code, message }; code "cancelled" → RUN_FINISHED { outcome: cancelled }
 *   agent_death           RUN_ERROR { code: cause, message }
 */
import { EventType, PROTOCOL_VERSION, tokenUsageFromAiSdkUsage, type AGUIEvent, type TokenUsage } from '@ag-ui/core';
import { AgentErrorCode } from '../protocol/codes.js';
import type { AgentEvent } from '../protocol/events.js';

/** The ids the AG-UI client chose (echoed in RUN_* events) and the ones agentwire issued. */
export interface AgUiRunIds {
  client: { threadId: string; runId: string };
  agentwire: { threadId: string; runId: string };
}

export class AgUiTranslator {
  readonly #ids: AgUiRunIds;
  #counter = 0;
  #text: string | undefined;
  #reasoning: { messageId: string; step: number | undefined } | undefined;
  /** The assistant message the current turn's tool calls belong to. */
  #turnParent: string | undefined;
  /** A tool result ended the turn: the next text or tool call starts a new assistant message. */
  #turnEnded = false;
  #finished = false;

  constructor(ids: AgUiRunIds) {
    this.#ids = ids;
  }

  /** true once RUN_FINISHED or RUN_ERROR was produced. */
  get finished(): boolean {
    return this.#finished;
  }

  /** RUN_STARTED, with agentwire's own ids in metadata for clients that want to continue the thread. */
  start(): AGUIEvent[] {
    return [
      {
        type: EventType.RUN_STARTED,
        threadId: this.#ids.client.threadId,
        runId: this.#ids.client.runId,
        protocolVersion: PROTOCOL_VERSION,
        metadata: { agentwire: { ...this.#ids.agentwire } },
      },
    ];
  }

  translate(event: AgentEvent): AGUIEvent[] {
    if (this.#finished) return [];
    const timestamp = Date.parse(event.ts);
    const out = this.#translate(event);
    return Number.isFinite(timestamp) ? out.map((e) => ({ ...e, timestamp })) : out;
  }

  #translate(event: AgentEvent): AGUIEvent[] {
    switch (event.type) {
      case 'agent_started':
        return [];
      case 'agent_thinking':
        return this.#thinking(event.data.reasoning, event.data.step);
      case 'agent_message_delta':
        return this.#delta(event.data.delta);
      case 'tool_executing':
        return this.#toolCall(event.data.toolCallId, event.data.toolName, event.data.args);
      case 'tool_completed': {
        this.#turnEnded = true;
        const content = event.data.status === 'success' ? asText(event.data.result) : JSON.stringify({ status: event.data.status, error: event.data.error ?? '' });
        return [...this.#closeAll(), { type: EventType.TOOL_CALL_RESULT, messageId: this.#id('tool'), toolCallId: event.data.toolCallId, content, role: 'tool' }];
      }
      case 'progress_update':
        return [
          {
            type: EventType.ACTIVITY_SNAPSHOT,
            messageId: `${this.#ids.agentwire.runId}.progress`,
            activityType: 'progress',
            content: { message: event.data.message, ...(event.data.progress === undefined ? {} : { progress: event.data.progress }) },
          },
        ];
      case 'agent_completed':
        return this.#finish({ type: EventType.RUN_FINISHED, ...this.#clientIds(), ...finishedFields(event.data.result) });
      case 'agent_error':
        if (event.data.code === AgentErrorCode.CANCELLED) {
          return this.#finish({ type: EventType.RUN_FINISHED, ...this.#clientIds(), outcome: { type: 'cancelled' } });
        }
        return this.#finish({ type: EventType.RUN_ERROR, code: event.data.code, message: event.data.message });
      case 'agent_death':
        return this.#finish({ type: EventType.RUN_ERROR, code: event.data.cause, message: event.data.message });
    }
  }

  #thinking(reasoning: string, step: number | undefined): AGUIEvent[] {
    const out = this.#closeText();
    const open = this.#reasoning;
    // Same defined step: the next piece of one streamed thought. Anything else: a new thought.
    if (open && (step === undefined || open.step !== step)) out.push(...this.#closeReasoning());
    if (!this.#reasoning) {
      const messageId = this.#id('reasoning');
      this.#reasoning = { messageId, step };
      out.push({ type: EventType.REASONING_START, messageId }, { type: EventType.REASONING_MESSAGE_START, messageId, role: 'reasoning' });
    }
    out.push({ type: EventType.REASONING_MESSAGE_CONTENT, messageId: this.#reasoning.messageId, delta: reasoning });
    return out;
  }

  #delta(delta: string): AGUIEvent[] {
    const out = this.#closeReasoning();
    if (this.#text === undefined) {
      this.#newTurnIfEnded();
      const messageId = this.#id('text');
      this.#text = messageId;
      this.#turnParent ??= messageId;
      out.push({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' });
    }
    out.push({ type: EventType.TEXT_MESSAGE_CONTENT, messageId: this.#text, delta });
    return out;
  }

  #toolCall(toolCallId: string, toolCallName: string, args: unknown): AGUIEvent[] {
    const out = this.#closeAll();
    this.#newTurnIfEnded();
    const parentMessageId = (this.#turnParent ??= this.#id('assistant'));
    out.push(
      { type: EventType.TOOL_CALL_START, toolCallId, toolCallName, parentMessageId },
      { type: EventType.TOOL_CALL_ARGS, toolCallId, delta: JSON.stringify(args ?? {}) },
      { type: EventType.TOOL_CALL_END, toolCallId },
    );
    return out;
  }

  #finish(terminal: AGUIEvent): AGUIEvent[] {
    const out = [...this.#closeAll(), terminal];
    this.#finished = true;
    return out;
  }

  #newTurnIfEnded(): void {
    if (!this.#turnEnded) return;
    this.#turnEnded = false;
    this.#turnParent = undefined;
  }

  #closeAll(): AGUIEvent[] {
    return [...this.#closeText(), ...this.#closeReasoning()];
  }

  #closeText(): AGUIEvent[] {
    if (this.#text === undefined) return [];
    const messageId = this.#text;
    this.#text = undefined;
    return [{ type: EventType.TEXT_MESSAGE_END, messageId }];
  }

  #closeReasoning(): AGUIEvent[] {
    if (!this.#reasoning) return [];
    const { messageId } = this.#reasoning;
    this.#reasoning = undefined;
    return [
      { type: EventType.REASONING_MESSAGE_END, messageId },
      { type: EventType.REASONING_END, messageId },
    ];
  }

  #clientIds(): { threadId: string; runId: string } {
    return { threadId: this.#ids.client.threadId, runId: this.#ids.client.runId };
  }

  /** Message ids are agentwire's run id plus a counter: unique across runs and threads. */
  #id(kind: 'text' | 'reasoning' | 'assistant' | 'tool'): string {
    this.#counter += 1;
    return `${this.#ids.agentwire.runId}.${kind}.${this.#counter}`;
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** RUN_FINISHED's result, plus token usage when the result is a model agent's. */
function finishedFields(result: unknown): { result?: unknown; usage?: TokenUsage[] } {
  if (result === null || result === undefined) return {};
  const usage = usageOf(result);
  return { result, ...(usage ? { usage: [usage] } : {}) };
}

function usageOf(result: unknown): TokenUsage | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { usage, model } = result as { usage?: unknown; model?: { provider?: unknown; modelId?: unknown } };
  if (typeof usage !== 'object' || usage === null) return undefined;
  return tokenUsageFromAiSdkUsage(usage, {
    ...(typeof model?.provider === 'string' ? { provider: model.provider } : {}),
    ...(typeof model?.modelId === 'string' ? { model: model.modelId } : {}),
  });
}
