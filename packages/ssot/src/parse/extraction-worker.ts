import { parentPort, workerData } from 'node:worker_threads';
import type { ExtractedFile, ExtractRequest, WorkerReply, WorkerSetup } from './extraction-messages.js';
import { extractFile } from './extract-file.js';
import { releaseParseTrees } from './release-trees.js';

/**
 * An extraction thread: parses the files it is sent with ast-grep and replies with their facts.
 * It holds no state between chunks but the parser's grammars and the compiled rule sets.
 */
const port = parentPort;
if (port === null) throw new Error('extraction-worker.js runs as a worker thread');
const { interest } = workerData as WorkerSetup;
const pending: ExtractRequest[] = [];
let working = false;

port.on('message', function queueRequest(request: ExtractRequest) {
  pending.push(request);
  if (!working) void work();
});

/**
 * One chunk per event-loop turn. A port delivers every queued message in one go, and the parse
 * trees of a chunk are freed only on a later turn (releaseParseTrees), so handling chunks
 * straight from the message event would keep every tree until the queue ran dry.
 */
async function work(): Promise<void> {
  working = true;
  for (let request = pending.shift(); request !== undefined; request = pending.shift()) {
    const reply = extractChunk(request);
    releaseParseTrees();
    (port as NonNullable<typeof port>).postMessage(reply);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  working = false;
}

function extractChunk(request: ExtractRequest): WorkerReply {
  const results: ExtractedFile[] = [];
  for (const job of request.jobs) {
    try {
      results.push({ id: job.id, facts: extractFile(job.file, interest) });
    } catch (error) {
      return { type: 'failed', id: job.id, message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined };
    }
  }
  return { type: 'extracted', results };
}

const ready: WorkerReply = { type: 'ready' };
port.postMessage(ready);
