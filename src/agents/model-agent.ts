/**
 * defineModelAgent: an agent whose answers come from a language model through the AI SDK
 * (`ai` 6.x, any provider package). It is an ordinary AgentDefinition, so everything it does goes
 * through the same emitter, bridge, store and guarantees as the deterministic agents:
 *
 *   reasoning-delta        → agent_thinking { reasoning, step }  (one step = one model call),
 *                            coalesced into sentences so a thought is not one event per token
 *   text-delta             → agent_message_delta { delta }
 *   tool call              → ctx.tools.call → tool_executing / tool_completed
 *   finish                 → the run's result { text, finishReason, usage, steps, model },
 *                            which the engine sends as agent_completed
 *   provider/network error → AgentRunError (provider_error, provider_unreachable, provider_auth,
 *                            rate_limited), which the engine sends as agent_error
 *
 * The run's AbortSignal is the model request's abortSignal: cancel, timeout or shutdown abort
 * the HTTP request to the provider itself.
 */
import { stepCountIs, streamText, type LanguageModel, type LanguageModelUsage, type TextStreamPart, type ToolSet } from 'ai';
import { AgentErrorCode } from '../protocol/codes.js';
import { AgentRunError, defineAgent, type AgentContext, type AgentDefinition, type AgentInput, type ToolDefinition } from '../engine/define-agent.js';
import { classifyModelError } from './model-errors.js';
import { ToolCallGate, modelToolSet } from './model-tools.js';
import { startChatSpan } from '../tracing/run-tracer.js';
import type { TraceSpan } from '../tracing/span.js';

/** A model object from a provider package; a bare model id string (AI Gateway) is not accepted. */
export type ModelAgentModel = Exclude<LanguageModel, string>;

export interface ModelAgentOptions {
  name: string;
  /** Shown in GET /api/info (default: "Answers with <provider> <model>"). */
  description?: string;
  model: ModelAgentModel;
  /** The system prompt. */
  system?: string;
  /**
   * Tools the model may call: the same ToolDefinitions the deterministic agents use. They must
   * also be registered with the server (startServer `tools`, or the built-ins), which is where
   * the dispatcher finds them.
   */
  tools?: readonly ToolDefinition[];
  /** Model calls per run, tool round trips included (default 5). */
  maxSteps?: number;
  /** Retries of a failed model request (the AI SDK's backoff; default 2). */
  maxRetries?: number;
  temperature?: number;
  maxOutputTokens?: number;
}

/** Token counts of a run, summed over its steps; a count the provider did not report is absent. */
export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
}

/** What a model agent's run returns: agent_completed's `result`. */
export interface ModelAgentResult {
  text: string;
  finishReason: string;
  usage: ModelUsage;
  steps: number;
  model: { provider: string; modelId: string };
}

export const DEFAULT_MAX_STEPS = 5;
const HEARTBEAT_EVERY_MS = 5_000;

export function defineModelAgent(options: ModelAgentOptions): AgentDefinition {
  const tools = [...(options.tools ?? [])];
  const model = describeModel(options.model);
  return defineAgent({
    name: options.name,
    description: options.description ?? `Answers with ${model.provider} ${model.modelId}`,
    tools: tools.map((tool) => tool.name),
    run: (input, ctx) => runModel(options, tools, input, ctx),
  });
}

interface StreamState {
  text: string;
  /** Index of the model call in progress, 0-based: the `step` of its agent_thinking events. */
  step: number;
  steps: number;
  finish: { finishReason: string; usage: LanguageModelUsage } | undefined;
  /** The model call in progress as a `chat` span (tracing on only). */
  chat: TraceSpan | undefined;
}

async function runModel(options: ModelAgentOptions, tools: readonly ToolDefinition[], input: AgentInput, ctx: AgentContext): Promise<ModelAgentResult> {
  const gate = new ToolCallGate();
  const result = streamText({
    model: options.model,
    ...(options.system === undefined ? {} : { system: options.system }),
    messages: [...(await input.history()).map((turn) => ({ role: turn.role, content: turn.text })), { role: 'user' as const, content: input.text }],
    ...(tools.length > 0 ? { tools: modelToolSet(tools, ctx, gate) } : {}),
    stopWhen: stepCountIs(options.maxSteps ?? DEFAULT_MAX_STEPS),
    maxRetries: options.maxRetries ?? 2,
    abortSignal: ctx.signal,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
    // Errors arrive as 'error' parts below and end the run; the default handler would only log them.
    onError: () => undefined,
  });
  const state: StreamState = { text: '', step: 0, steps: 0, finish: undefined, chat: undefined };
  // A model can think for a minute before its first token; the run is alive while its request
  // is open (the run timeout still bounds it), so the engine's silence detector is kept informed.
  const alive = setInterval(() => {
    ctx.heartbeat();
  }, HEARTBEAT_EVERY_MS).unref();
  try {
    return await consume(result.fullStream, ctx, gate, state, options.model);
  } catch (error) {
    state.chat?.fail(error instanceof AgentRunError ? error.code : 'agent_exception', error instanceof Error ? error.message : undefined);
    throw error;
  } finally {
    state.chat?.end();
    clearInterval(alive);
  }
}

async function consume(stream: AsyncIterable<TextStreamPart<ToolSet>>, ctx: AgentContext, gate: ToolCallGate, state: StreamState, model: ModelAgentModel): Promise<ModelAgentResult> {
  let reasoning = '';
  const flushReasoning = async (): Promise<void> => {
    if (reasoning === '') return;
    const thought = reasoning;
    reasoning = '';
    await ctx.thinking(thought, { step: state.step });
  };
  for await (const part of stream) {
    ctx.heartbeat();
    if (part.type === 'reasoning-delta') {
      reasoning += part.text;
      if (sentenceDone(reasoning)) await flushReasoning();
      continue;
    }
    // Whatever comes next, the reasoning before it goes out first: the stream keeps the model's order.
    await flushReasoning();
    switch (part.type) {
      case 'text-delta':
        if (part.text !== '') {
          state.text += part.text;
          await ctx.say(part.text);
        }
        break;
      case 'tool-call':
        // The AI SDK never executes a call it could not parse (unknown tool, arguments that are
        // not JSON); it still goes through the dispatcher so the user sees the failed call.
        if (part.invalid === true) await ctx.tools.call(part.toolName, part.input);
        else gate.open(part.toolCallId);
        break;
      case 'start-step':
        if (ctx.trace) state.chat = startChatSpan(ctx.trace, describeModel(model));
        break;
      case 'finish-step':
        if (state.chat) endChatSpan(state.chat, part.finishReason, part.usage);
        state.chat = undefined;
        state.step += 1;
        state.steps += 1;
        break;
      case 'finish':
        state.finish = { finishReason: part.finishReason, usage: part.totalUsage };
        break;
      case 'error':
        throw classifyModelError(part.error);
      case 'abort':
        // Only the engine aborts ctx.signal, and it has already ended the run.
        throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the run was aborted');
      default:
        break;
    }
  }
  await flushReasoning();
  if (!state.finish) throw new AgentRunError(AgentErrorCode.PROVIDER_ERROR, 'the model stream ended without finishing');
  return {
    text: state.text,
    finishReason: state.finish.finishReason,
    usage: usageOf(state.finish.usage),
    steps: state.steps,
    model: describeModel(model),
  };
}

function endChatSpan(span: TraceSpan, finishReason: string, usage: LanguageModelUsage): void {
  span.set('gen_ai.response.finish_reasons', [finishReason]);
  if (usage.inputTokens !== undefined) span.set('gen_ai.usage.input_tokens', usage.inputTokens);
  if (usage.outputTokens !== undefined) span.set('gen_ai.usage.output_tokens', usage.outputTokens);
  span.end();
}

const MIN_THOUGHT_CHARS = 40;
const MAX_THOUGHT_CHARS = 400;

/** A reasoning buffer worth an event: a finished sentence or line of some length, or a long run. */
function sentenceDone(buffer: string): boolean {
  if (buffer.length >= MAX_THOUGHT_CHARS) return true;
  return buffer.length >= MIN_THOUGHT_CHARS && /[.!?:;\n]\s*$/.test(buffer);
}

function usageOf(usage: LanguageModelUsage): ModelUsage {
  const counts: ModelUsage = {};
  const set = (key: keyof ModelUsage, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) counts[key] = value;
  };
  set('inputTokens', usage.inputTokens);
  set('outputTokens', usage.outputTokens);
  set('totalTokens', usage.totalTokens);
  set('reasoningTokens', usage.outputTokenDetails.reasoningTokens);
  set('cachedInputTokens', usage.inputTokenDetails.cacheReadTokens);
  return counts;
}

function describeModel(model: ModelAgentModel): { provider: string; modelId: string } {
  return { provider: model.provider, modelId: model.modelId };
}
