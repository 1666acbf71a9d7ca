/**
 * Splits a worker's response body into lines, with a bound: a line longer than `maxLineBytes`
 * fails the read before it is buffered further, so a worker that never sends a newline cannot
 * grow agentwire's memory. Works on bytes (a UTF-8 sequence is never split mid-character,
 * because lines are decoded whole).
 */
import { AgentRunError } from '../engine/define-agent.js';
import { AgentErrorCode } from '../protocol/codes.js';

const LF = 0x0a;
const CR = 0x0d;

export async function* readLines(body: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let pending = 0;
  for await (const chunk of body) {
    let start = 0;
    for (let newline = chunk.indexOf(LF); newline !== -1; newline = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, newline);
      checkSize(pending + piece.length, maxLineBytes);
      parts.push(piece);
      yield decodeLine(decoder, parts);
      parts = [];
      pending = 0;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      pending += rest.length;
      checkSize(pending, maxLineBytes);
      // Copied: the stream may reuse the chunk's memory once we ask for the next one.
      parts.push(rest.slice());
    }
  }
  // A last line without a newline is still a line (NDJSON producers often omit the final one).
  if (pending > 0) yield decodeLine(decoder, parts);
}

function decodeLine(decoder: TextDecoder, parts: Uint8Array[]): string {
  const bytes = parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts);
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return decoder.decode(bytes.subarray(0, end));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function checkSize(size: number, max: number): void {
  if (size > max) throw new AgentRunError(AgentErrorCode.WORKER_EVENT_TOO_LARGE, `the worker sent a line of more than ${max} bytes`);
}

/** A fetch body as chunks (the DOM typing of ReadableStream is not async-iterable). */
export async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
