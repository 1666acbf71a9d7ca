/**
 * agentwire/client: the browser and Node SDK. Imports nothing from Node.
 *
 *   import { AgentwireClient } from 'agentwire/client';
 *   const client = new AgentwireClient({ url: 'wss://example.com/ws', token: () => getToken() });
 *   await client.connect();
 *   const { runId } = await client.send('What is 17 * 23?');
 *   for await (const event of client.run(runId)) console.log(event.type, event.data);
 */
export { AgentwireClient, type AgentwireClientOptions, type ClientEventMap, type ClientState, type StreamPosition } from './agentwire-client.js';
export { AgentwireClientError, type ClientErrorCode } from './client-error.js';
export { RunView, type TerminalEvent } from './run-view.js';
export { Sequencer, type Accepted } from './sequencer.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type { WebSocketLike, WebSocketConstructor, TokenSource } from './transport.js';
export type { ThreadHistory, ThreadSummary } from './history.js';
export type * from '../protocol/events.js';
export type * from '../protocol/messages.js';
export { ErrorCode, CloseCode, AgentErrorCode, DeathCause } from '../protocol/codes.js';
export { isTerminalType, AGENT_EVENT_TYPES, TERMINAL_EVENT_TYPES, PROTOCOL_VERSION } from '../protocol/events.js';
