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
    id: 'outbound-bound-removed',
    promise: 'outbound buffer per connection: 8 MiB, then fed from the store as it drains',
    file: 'src/transport/websocket-notifier.ts',
    find: '    if (socket.bufferedAmount > this.#maxOutboundBytes) {\n      this.#catchUp(stream);',
    replace: '    if (socket.bufferedAmount > Number.MAX_SAFE_INTEGER) {\n      this.#catchUp(stream);',
    test: 'test/server/slow-consumer.test.ts',
  },
];
