/**
 * Server-sent events from lines (the WHATWG event-stream format, the part a worker uses): `event:`
 * names the event, `data:` lines are joined with "\n", a blank line dispatches, a line starting
 * with ":" is a comment (a keep-alive). `id:` and `retry:` are read and ignored: agentwire does
 * not reconnect to a worker (a cut response is the worker lost, not a pause).
 */
import { AgentRunError } from '../engine/define-agent.js';
import { AgentErrorCode } from '../protocol/codes.js';

export type SseItem = { kind: 'event'; event: string | undefined; data: string } | { kind: 'keepalive' };

export async function* readSse(lines: AsyncIterable<string>, maxEventBytes: number): AsyncGenerator<SseItem> {
  let event: string | undefined;
  let data: string[] = [];
  let size = 0;
  for await (const line of lines) {
    if (line === '') {
      if (data.length > 0) yield { kind: 'event', event, data: data.join('\n') };
      else yield { kind: 'keepalive' };
      event = undefined;
      data = [];
      size = 0;
      continue;
    }
    if (line.startsWith(':')) {
      yield { kind: 'keepalive' };
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') {
      // Bounded as a whole: many data lines of one event add up.
      size += value.length + 1;
      if (size > maxEventBytes) throw new AgentRunError(AgentErrorCode.WORKER_EVENT_TOO_LARGE, `the worker sent an event of more than ${maxEventBytes} bytes`);
      data.push(value);
    }
  }
  // Per the format, an event not closed by a blank line is never dispatched.
}
