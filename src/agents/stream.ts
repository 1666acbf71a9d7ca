/**
 * The `stream` diagnostic agent: emits a requested number of agent_message_delta events of a
 * requested size at a requested pace, so tests and benchmarks can drive the delivery path with
 * a known load and check what arrived. Each delta starts with its 1-based index ("#000042 "),
 * so a receiver can verify order and spot gaps or duplicates without any other bookkeeping.
 */
import { z } from 'zod';
import { defineAgent, type AgentContext, type AgentInput } from '../engine/define-agent.js';

export const STREAM_LIMITS = { maxEvents: 100_000, maxIntervalMs: 60_000, maxBytes: 65_536 } as const;
/** The engine ends runs that stay silent; sleeping in slices of this length lets long intervals heartbeat. */
const SLEEP_SLICE_MS = 1_000;
/** With no interval the loop is busy emitting; a heartbeat every so many events is plenty. */
const HEARTBEAT_EVERY = 100;
const PADDING = 'abcdefghijklmnopqrstuvwxyz0123456789';
const USAGE = 'expected JSON like {"events": 100, "intervalMs": 10, "bytes": 60}';

const StreamRequest = z.strictObject({
  events: z.number().int().min(1).max(STREAM_LIMITS.maxEvents),
  intervalMs: z.number().int().min(0).max(STREAM_LIMITS.maxIntervalMs).default(0),
  bytes: z.number().int().min(1).max(STREAM_LIMITS.maxBytes).default(60),
  /** Fault injection: after this many events the agent hangs without heartbeats (the engine must end it). */
  stallAfter: z.number().int().min(0).max(STREAM_LIMITS.maxEvents).optional(),
});
export type StreamRequest = z.infer<typeof StreamRequest>;

/** Parses the run's input text; throws an Error that says what is wrong and what is expected. */
export function parseStreamRequest(text: string): StreamRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`stream: input is not JSON (${USAGE})`, { cause: error });
  }
  const parsed = StreamRequest.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
    throw new Error(`stream: invalid input: ${problems.join('; ')} (${USAGE})`);
  }
  return parsed.data;
}

/** The delta for event `index`: its index, then padding up to `bytes` (the index is never cut). */
export function streamDelta(index: number, bytes: number): string {
  const label = `#${String(index).padStart(6, '0')} `;
  const padding = Math.max(0, bytes - label.length);
  return label + PADDING.repeat(Math.ceil(padding / PADDING.length)).slice(0, padding);
}

async function pause(ctx: AgentContext, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= SLEEP_SLICE_MS) {
    await ctx.sleep(Math.min(left, SLEEP_SLICE_MS));
    ctx.heartbeat();
  }
}

/** Waits, silently, until the engine gives up on the run and aborts it. */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

async function runStream(input: AgentInput, ctx: AgentContext): Promise<{ events: number }> {
  const { events, intervalMs, bytes, stallAfter } = parseStreamRequest(input.text);
  for (let index = 1; index <= events; index += 1) {
    ctx.signal.throwIfAborted();
    if (index - 1 === stallAfter) await hang(ctx.signal);
    // Awaiting each say keeps the events in order even with no interval between them.
    await ctx.say(streamDelta(index, bytes));
    if (index % HEARTBEAT_EVERY === 0) ctx.heartbeat();
    if (intervalMs > 0 && index < events) await pause(ctx, intervalMs);
  }
  return { events };
}

export const streamAgent = defineAgent({
  name: 'stream',
  description: 'Diagnostics: streams N message deltas of B bytes, M ms apart. Input: {"events": N, "intervalMs": M, "bytes": B}',
  tools: [],
  run: runStream,
});
