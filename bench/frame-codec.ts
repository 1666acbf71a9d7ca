/**
 * The frame codec on its own: encode, encode around the seq (Redis) and read the routing fields
 * back, per operation, for the codec in src/protocol/frame-codec.ts and for the code it replaced
 * (kept below verbatim as the baseline, from store/frame.ts and redis/frame-fields.ts at b92d8e5).
 * Rounds alternate old and new so both see the same machine load; the best and the median round
 * are printed (the best is the steadier figure on a shared machine).
 *
 *   npm run bench:frame-codec [-- --events 20000 --rounds 30]
 */
import { parseArgs } from 'node:util';
import { AGENT_EVENT_TYPES, encodeFrame, encodeFrameParts, readFrameRouting, type FrameDraft } from 'agentwire/protocol';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '30' } } });
const events = Number(values.events);
const rounds = Number(values.rounds);

// ---- baseline: the code before the codec ------------------------------------------------------
let lastMs = Number.NaN;
let lastIso = '';
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
function oldEncodeFrame(draft: FrameDraft, seq: number, epoch: string): string {
  return (
    `{"v":1,"type":"${draft.type}","seq":${seq},"epoch":${JSON.stringify(epoch)},"eventId":${JSON.stringify(draft.eventId)}` +
    `,"runId":${JSON.stringify(draft.runId)},"threadId":${JSON.stringify(draft.threadId)},"userId":${JSON.stringify(draft.userId)}` +
    `,"agentName":${JSON.stringify(draft.agentName)},"ts":"${isoTime(draft.ts)}","data":${JSON.stringify(draft.data)}}`
  );
}
const OLD_HEAD = /^\{"v":1,"type":"([a-z_]+)","seq":\d+,"epoch":"[^"]*","eventId":"[^"]*","runId":"((?:[^"\\]|\\.)*)","threadId":"((?:[^"\\]|\\.)*)"/;
function oldUnescape(value: string): string {
  return value.includes('\\') ? (JSON.parse(`"${value}"`) as string) : value;
}
function oldEventFromFrame(userId: string, seq: number, ts: number, frame: string): object {
  const match = OLD_HEAD.exec(frame);
  if (match) {
    const [, type, runId, threadId] = match as unknown as [string, string, string, string];
    return { seq, userId, ts, frame, type, runId: oldUnescape(runId), threadId: oldUnescape(threadId) };
  }
  const envelope = JSON.parse(frame) as { type: string; runId: string; threadId: string };
  return { seq, userId, ts, frame, type: envelope.type, runId: envelope.runId, threadId: envelope.threadId };
}
const SEQ_MARK = '"seq":0,';
function oldSplitFrame(draft: FrameDraft, epoch: string): { head: string; tail: string } {
  const frame = oldEncodeFrame(draft, 0, epoch);
  const at = frame.indexOf(SEQ_MARK);
  return { head: frame.slice(0, at + SEQ_MARK.length - 2), tail: frame.slice(at + SEQ_MARK.length - 1) };
}

// ---- the new codec, with what the Redis reader does around it ---------------------------------
function newEventFromFrame(userId: string, seq: number, ts: number, frame: string): object {
  const routing = readFrameRouting(frame);
  if (routing.userId !== userId || routing.seq !== seq) throw new Error('misrouted');
  return { seq, userId, ts, frame, type: routing.type, runId: routing.runId, threadId: routing.threadId };
}

// ---- workload: the bench's typical events (mostly text deltas, ~340-byte frames) --------------
const epoch = 'e-0f3a9c2b7d1e4f60';
const drafts: FrameDraft[] = [];
const now = Date.now();
for (let i = 0; i < events; i++) {
  const type = i % 10 === 0 ? AGENT_EVENT_TYPES[i % AGENT_EVENT_TYPES.length] ?? 'agent_message_delta' : 'agent_message_delta';
  drafts.push({
    type,
    eventId: `ev-${i.toString(36)}-4b1d9a`,
    runId: `run-${(i >> 6).toString(36)}-7c2e`,
    threadId: `th-${(i >> 8).toString(36)}-${i % 7 === 0 ? 'q"uote' : 'plain'}`,
    userId: `user-${i % 500}`,
    agentName: 'assistant',
    ts: now + (i >> 4),
    data: { delta: `token ${i} of the answer, with some text to carry` },
  });
}
// Flat strings, as a reader gets them from Redis (decoded from a buffer), not the rope encode builds.
const frames = drafts.map((draft, i) => Buffer.from(encodeFrame(draft, i + 1, epoch)).toString());

let sink = 0;
type Op = (i: number) => unknown;
const ops: Record<string, { old: Op; new: Op }> = {
  encode: { old: (i) => oldEncodeFrame(drafts[i] as FrameDraft, i + 1, epoch), new: (i) => encodeFrame(drafts[i] as FrameDraft, i + 1, epoch) },
  'encode around seq': { old: (i) => oldSplitFrame(drafts[i] as FrameDraft, epoch), new: (i) => encodeFrameParts(drafts[i] as FrameDraft, epoch) },
  'read routing': {
    old: (i) => oldEventFromFrame((drafts[i] as FrameDraft).userId, i + 1, 0, frames[i] as string),
    new: (i) => newEventFromFrame((drafts[i] as FrameDraft).userId, i + 1, 0, frames[i] as string),
  },
};

function nsPerOp(op: Op): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < events; i++) if (op(i) !== undefined) sink++;
  return Number(process.hrtime.bigint() - start) / events;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

for (const [name, pair] of Object.entries(ops)) {
  for (let w = 0; w < 3; w++) {
    nsPerOp(pair.old);
    nsPerOp(pair.new);
  }
  const old: number[] = [];
  const neu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    old.push(nsPerOp(pair.old));
    neu.push(nsPerOp(pair.new));
  }
  const [o, n] = [Math.min(...old), Math.min(...neu)];
  const [om, nm] = [median(old), median(neu)];
  console.log(
    `${name.padEnd(18)} best: old ${o.toFixed(0).padStart(5)} ns/op, new ${n.toFixed(0).padStart(5)} ns/op, new/old ${(n / o).toFixed(2)}` +
      `   median: old ${om.toFixed(0).padStart(5)}, new ${nm.toFixed(0).padStart(5)}, new/old ${(nm / om).toFixed(2)}`,
  );
}
if (sink < 0) console.log(sink);
