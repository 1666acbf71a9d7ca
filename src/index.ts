/**
 * agentwire: the agent authoring API and the wire protocol types.
 *
 *   import { defineAgent, defineTool } from 'agentwire';
 */
export { defineAgent, defineTool, AgentRunError, AgentDeathError } from './engine/define-agent.js';
export { defineRemoteAgent, type RemoteAgentOptions } from './remote/define-remote-agent.js';
export type {
  AgentContext,
  AgentDefinition,
  AgentInput,
  ThreadTurn,
  NonTerminalEventType,
  ToolCaller,
  ToolDefinition,
  ToolExecutionContext,
  ToolOutcome,
} from './engine/define-agent.js';
export * from './protocol/index.js';
