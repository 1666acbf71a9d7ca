// Measurement probe for scripts/resume-storm.ts, loaded into the server process with
// NODE_OPTIONS=--import. It wraps ws's send to record the highest bufferedAmount any
// server-side socket reached right after a write, and prints it to stderr: the same figure
// on any version of the server code, so before/after compare like with like.
import { WebSocket } from 'ws';

const send = WebSocket.prototype.send;
let peak = 0;
let calls = 0;
WebSocket.prototype.send = function probedSend(...args) {
  send.apply(this, args);
  calls += 1;
  if (this._isServer) {
    const buffered = this.bufferedAmount;
    if (buffered > peak) peak = buffered;
  }
};
setInterval(() => process.stderr.write(`[probe] peak_buffered_bytes ${peak} sends ${calls}\n`), 200).unref();
