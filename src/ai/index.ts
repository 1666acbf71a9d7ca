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
// The environment switch `agentwire start` reads (AGENTWIRE_MODEL_BASE_URL, AGENTWIRE_MODEL,
// AGENTWIRE_MODEL_API_KEY). Public on purpose so an embedder gets the same contract, and lives
// here rather than on agentwire/server because it loads the AI SDK.
export { loadModelConfig, modelServerOptions, MODEL_AGENT_NAME, type ModelConfig } from '../server/model-config.js';
