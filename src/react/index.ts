/**
 * agentwire/react: React bindings for the client SDK. React (>= 18) is an optional peer
 * dependency of agentwire; this entry is the only one that imports it.
 *
 *   import { AgentwireClient } from 'agentwire/client';
 *   import { useAgentThread } from 'agentwire/react';
 *   const { runs, messages, connection, send, cancel } = useAgentThread(client, threadId);
 *
 * The stores under the hooks are framework-free (subscribe + getSnapshot) for other frameworks.
 */
export { useAgentThread, useAgentConnection, type AgentThread, type ThreadMessage } from './use-agent-thread.js';
export { threadStore, type ThreadStore, type ThreadSnapshot } from './thread-store.js';
export { connectionStore, type ConnectionStore, type ConnectionStatus } from './connection-store.js';
export {
  addEvents,
  addLocalRun,
  addRunEvent,
  emptyThread,
  emptyRun,
  isFinished,
  type AnswerPart,
  type RunState,
  type RunStatus,
  type ThinkingStep,
  type ThreadState,
  type TimelineItem,
  type ToolCallState,
} from './thread-state.js';
