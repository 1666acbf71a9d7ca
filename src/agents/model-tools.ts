/**
 * Our ToolDefinitions, offered to an AI SDK model. The model sees each tool's name, description
 * and its zod schema as JSON Schema; when it calls one, the call goes through ctx.tools (the
 * ToolDispatcher), so it is validated, timed and reported as tool_executing / tool_completed like
 * any other tool call. The AI SDK does not validate the arguments itself: the dispatcher is the
 * one place that does, and an invalid call reaches the model as a structured error it can fix.
 */
import { dynamicTool, jsonSchema, type JSONSchema7, type ToolSet } from 'ai';
import { z } from 'zod';
import type { AgentContext, ToolDefinition } from '../engine/define-agent.js';

/** What the model gets back from a tool call that did not succeed. */
export interface ModelToolError {
  status: 'error' | 'timeout';
  error: string;
}

/**
 * Makes the model's tool calls wait until the agent's stream loop has reached them. The AI SDK
 * starts a tool as soon as it parses the call, which can be before the agent has emitted the
 * text and reasoning that came before it; waiting keeps the user's stream in the model's order.
 */
export class ToolCallGate {
  readonly #reached = new Map<string, () => void>();
  readonly #waiting = new Map<string, Promise<void>>();

  /** Called by the stream loop when it reaches the tool-call part. */
  open(toolCallId: string): void {
    void this.#waiter(toolCallId);
    this.#reached.get(toolCallId)?.();
  }

  /** Resolves once open(toolCallId) was called; rejects when the run is aborted first. */
  async wait(toolCallId: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => {
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#waiter(toolCallId), aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.#reached.delete(toolCallId);
      this.#waiting.delete(toolCallId);
    }
  }

  #waiter(toolCallId: string): Promise<void> {
    let waiter = this.#waiting.get(toolCallId);
    if (!waiter) {
      waiter = new Promise<void>((resolve) => {
        this.#reached.set(toolCallId, resolve);
      });
      this.#waiting.set(toolCallId, waiter);
    }
    return waiter;
  }
}

/** The AI SDK tool set for one run: every call goes through ctx.tools after the gate opens. */
export function modelToolSet(definitions: readonly ToolDefinition[], ctx: AgentContext, gate: ToolCallGate): ToolSet {
  const tools: ToolSet = {};
  for (const definition of definitions) {
    tools[definition.name] = dynamicTool({
      description: definition.description,
      inputSchema: jsonSchema(toolInputSchema(definition)),
      execute: async (input, { toolCallId }) => {
        await gate.wait(toolCallId, ctx.signal);
        const outcome = await ctx.tools.call(definition.name, input);
        if (outcome.status === 'success') return outcome.result ?? null;
        return { status: outcome.status, error: outcome.error } satisfies ModelToolError;
      },
    });
  }
  return tools;
}

/** The JSON Schema of a tool's arguments, as providers expect it (draft-07, input side). */
export function toolInputSchema(definition: ToolDefinition): JSONSchema7 {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(definition.parameters, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return schema as JSONSchema7;
}
