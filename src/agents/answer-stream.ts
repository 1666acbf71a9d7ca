/**
 * Streams an answer as agent_message_delta events in word groups. Sending the whole answer at
 * once would hide the streaming path from every UI and test that watches it; sending single
 * characters would flood the store. A pause between chunks makes the stream visible to a person.
 */
import type { AgentContext } from '../engine/define-agent.js';

export const MIN_CHUNK_CHARS = 20;
export const MAX_CHUNK_CHARS = 40;

/** Splits text into chunks of whole words, ~20–40 characters each; joined, they are the text exactly. */
export function chunkText(text: string, min = MIN_CHUNK_CHARS, max = MAX_CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const word of text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text])) {
    if (current.length >= min && current.length + word.length > max) {
      chunks.push(current);
      current = '';
    }
    current += word;
    // A single word longer than a chunk (a URL, a long number) is cut rather than sent whole.
    while (current.length > max) {
      chunks.push(current.slice(0, max));
      current = current.slice(max);
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** Says `text` chunk by chunk; stops (by throwing the abort reason) as soon as the run is aborted. */
export async function streamAnswer(ctx: AgentContext, text: string, pauseMs: number): Promise<void> {
  const chunks = chunkText(text);
  for (const [i, chunk] of chunks.entries()) {
    ctx.signal.throwIfAborted();
    await ctx.say(chunk);
    if (pauseMs > 0 && i < chunks.length - 1) await ctx.sleep(pauseMs);
  }
}
