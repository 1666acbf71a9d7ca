/**
 * The mutation table of docs/guarantees.md ("How we know the tests can fail"): each entry
 * breaks one promise in the source, and names the test that must go red.
 */
export interface Mutation {
  id: string;
  /** The promise (a row of docs/guarantees.md) it breaks. */
  promise: string;
  file: string;
  find: string;
  replace: string;
  /** Test file, and optionally a test name filter (-t). */
  test: string;
  name?: string;
}

export const MUTATIONS: Mutation[] = [
  {
    id: 'slow-consumer-no-close',
    promise: 'a connection that does not drain is closed with 4408',
    file: 'src/transport/websocket-notifier.ts',
    find: '      stream.subscriber.closeSlowConsumer(buffered);',
    replace: '      void buffered;',
    test: 'test/server/slow-consumer.test.ts',
  },
  {
    id: 'outbound-bound-8x',
    promise: 'outbound buffer per connection: 8 MiB, then fed from the store as it drains',
    file: 'src/transport/websocket-notifier.ts',
    find: '    if (socket.bufferedAmount > this.#maxOutboundBytes) {\n      this.#catchUp(stream);',
    // Eight times the bound: slow consumers are still closed (the old counter check passes), but
    // each may buffer 8× what the setting says.
    replace: '    if (socket.bufferedAmount > this.#maxOutboundBytes * 8) {\n      this.#catchUp(stream);',
    test: 'test/server/slow-consumer.test.ts',
  },
  {
    id: 'ledger-confirms-published',
    promise: 'the delivery ratio never counts an event as confirmed before a client says it has it',
    file: 'src/transport/websocket-notifier.ts',
    find: '    this.#metrics.ledger.published(event.userId, event.seq);',
    replace: '    this.#metrics.ledger.published(event.userId, event.seq);\n    this.#metrics.ledger.confirmed(event.userId, event.seq);',
    test: 'test/server/accounting.test.ts',
  },
  {
    id: 'ledger-confirms-written',
    promise: 'the delivery ratio never counts an event as confirmed before a client says it has it',
    file: 'src/transport/websocket-notifier.ts',
    find: '    stream.cursor = event.seq;\n    this.#observeBuffered(socket);',
    replace: '    stream.cursor = event.seq;\n    this.#metrics.ledger.confirmed(stream.subscriber.userId, event.seq);\n    this.#observeBuffered(socket);',
    test: 'test/server/accounting.test.ts',
  },
  {
    id: 'acked-counts-cursor',
    promise: 'acked means the client said so',
    file: 'src/transport/websocket-notifier.ts',
    find: '      this.#metrics.eventsAcked.inc(seq - stream.acked);',
    replace: '      this.#metrics.eventsAcked.inc(stream.cursor - stream.acked);',
    test: 'test/server/accounting.test.ts',
  },
  {
    id: 'ack-beyond-cursor-accepted',
    promise: 'acked means the client said so (of what the connection carried)',
    file: 'src/transport/websocket-notifier.ts',
    find: '    if (seq > stream.cursor) return false;',
    replace: '',
    test: 'test/server/accounting.test.ts',
  },
  {
    id: 'shutdown-leaves-runs',
    promise: 'exactly one terminal event per run, on shutdown too',
    file: 'src/engine/execution-engine.ts',
    find: "    await Promise.all([...this.#runs.values()].map((run) => this.#end(run, 'agent_error', shutdownData(run))));",
    replace: '',
    test: 'test/server/shutdown.test.ts',
  },
  {
    id: 'shutdown-sockets-first',
    promise: 'the terminal events of a shutdown reach the clients before the sockets close',
    file: 'src/server/agentwire-server.ts',
    find: '      await engine.shutdown(options.shutdownGraceMs ?? 10_000);\n      await connections.close();',
    replace: '      await connections.close();\n      await engine.shutdown(options.shutdownGraceMs ?? 10_000);',
    test: 'test/server/shutdown.test.ts',
  },
  {
    id: 'cancel-before-ownership',
    promise: 'cancelling another user\'s run is FORBIDDEN (and does nothing)',
    file: 'src/engine/execution-engine.ts',
    find: "      if (run.userId !== userId) return refuse(ErrorCode.FORBIDDEN, 'that run belongs to another user');\n      await this.#end(run, 'agent_error', { code: AgentErrorCode.CANCELLED, message: 'cancelled by the user', durationMs: run.elapsedMs() });",
    replace: "      const ending = this.#end(run, 'agent_error', { code: AgentErrorCode.CANCELLED, message: 'cancelled by the user', durationMs: run.elapsedMs() });\n      if (run.userId !== userId) return refuse(ErrorCode.FORBIDDEN, 'that run belongs to another user');\n      await ending;",
    test: 'test/server/protocol-errors.test.ts',
  },
  {
    id: 'node-run-limit-ignored',
    promise: 'concurrent runs per node: 200, further runs wait in a FIFO queue',
    file: 'src/engine/execution-engine.ts',
    find: 'for (let i = 0; i < this.#queue.length && this.#active < this.limits.maxConcurrentRuns; )',
    replace: 'for (let i = 0; i < this.#queue.length; )',
    test: 'test/server/node-limits.test.ts',
  },
  {
    id: 'event-payload-limit-doubled',
    promise: 'event payload: 256 KiB, the emit is refused (INVALID_EVENT)',
    file: 'src/bridge/agent-websocket-bridge.ts',
    find: 'export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;',
    replace: 'export const DEFAULT_MAX_EVENT_BYTES = 512 * 1024;',
    test: 'test/server/node-limits.test.ts',
  },
  {
    id: 'event-payload-limit-removed',
    promise: 'event payload: 256 KiB, the emit is refused (INVALID_EVENT)',
    file: 'src/bridge/agent-websocket-bridge.ts',
    find: '    if (size > this.#port.maxEventBytes) {',
    replace: '    if (size < 0) {',
    test: 'test/server/node-limits.test.ts',
  },
  {
    id: 'closed-connection-retained',
    promise: 'hostile connections leave nothing behind once closed',
    file: 'src/transport/connection-manager.ts',
    find: '    ws.once(\'close\', (code) => {\n      clearTimeout(expiry);',
    // The token-expiry timer keeps its closure (and so the connection) alive for the token's life.
    replace: '    ws.once(\'close\', (code) => {',
    test: 'test/attack/flood.test.ts',
    name: 'no connection and no memory left behind',
  },
  {
    id: 'connection-slot-not-freed',
    promise: 'connections per user: 10, then close 4429 (a closed connection frees its slot)',
    file: 'src/transport/connection-manager.ts',
    find: '      notifier.unregister(connection.connectionId);\n      metrics.connections.dec();',
    replace: '      metrics.connections.dec();',
    test: 'test/server/auth.test.ts',
    name: 'connectionsPerUser',
  },
  {
    id: 'outbound-bound-removed',
    promise: 'slow consumers cannot hurt others: each stalled connection holds at most its outbound bound plus one replay page',
    file: 'src/transport/websocket-notifier.ts',
    find: '    if (socket.bufferedAmount > this.#maxOutboundBytes) {\n      this.#catchUp(stream);',
    replace: '    if (socket.bufferedAmount > Number.MAX_SAFE_INTEGER) {\n      this.#catchUp(stream);',
    test: 'test/chaos/slow-consumers.test.ts',
  },
];
