/**
 * agentwire/ai: agents backed by a language model, through the Vercel AI SDK (`ai` 6.x).
 *
 *   import { defineModelAgent, openAICompatibleModel } from 'agentwire/ai';
 *   const agent = defineModelAgent({ name: 'model', model: openAICompatibleModel({ baseUrl, model }), tools: [calculatorTool] });
 *
 * A separate entry point so that `agentwire` itself does not load the AI SDK.
 */
export {
  defineModelAgent,
  DEFAULT_MAX_STEPS,
  type ModelAgentModel,
  type ModelAgentOptions,
  type ModelAgentResult,
  type ModelUsage,
} from '../agents/model-agent.js';
export { openAICompatibleModel, type OpenAICompatibleModelOptions } from '../agents/openai-compatible.js';
export { classifyModelError } from '../agents/model-errors.js';
export { toolInputSchema, type ModelToolError } from '../agents/model-tools.js';
export { AgentRunError } from '../engine/define-agent.js';
