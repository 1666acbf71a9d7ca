/**
 * Which model `agentwire start` and `serve` talk to, from the environment. Without AGENTWIRE_MODEL_BASE_URL
 * and AGENTWIRE_MODEL there is no model and the deterministic `assistant` answers; with only one
 * of them, start-up stops and says which is missing.
 *
 *   AGENTWIRE_MODEL_BASE_URL  an OpenAI-compatible API, e.g. https://api.openai.com/v1
 *   AGENTWIRE_MODEL           the model name, e.g. gpt-4o-mini
 *   AGENTWIRE_MODEL_API_KEY   its key (optional: local servers need none)
 */
import { AgentwireError, InternalErrorCode } from '../errors/agentwire-error.js';
import { builtinTools } from '../agents/index.js';
import { defineModelAgent } from '../agents/model-agent.js';
import { openAICompatibleModel } from '../agents/openai-compatible.js';
import type { AgentwireServerOptions } from './agentwire-server.js';

export interface ModelConfig {
  baseUrl: string;
  model: string;
  apiKey: string | undefined;
}

/** What GET /api/info may show about the model: never the key, and only the endpoint's host. */
export interface ModelInfo {
  agent: string;
  name: string;
  host: string;
}

export function loadModelConfig(env: Record<string, string | undefined> = process.env): ModelConfig | undefined {
  const baseUrl = env.AGENTWIRE_MODEL_BASE_URL?.trim() || undefined;
  const model = env.AGENTWIRE_MODEL?.trim() || undefined;
  if (baseUrl === undefined && model === undefined) return undefined;
  if (baseUrl === undefined) throw configError('AGENTWIRE_MODEL_BASE_URL is required when AGENTWIRE_MODEL is set');
  if (model === undefined) throw configError('AGENTWIRE_MODEL is required when AGENTWIRE_MODEL_BASE_URL is set');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw configError(`AGENTWIRE_MODEL_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw configError(`AGENTWIRE_MODEL_BASE_URL must be an http(s) URL, got "${baseUrl}"`);
  return { baseUrl, model, apiKey: env.AGENTWIRE_MODEL_API_KEY?.trim() || undefined };
}

export function modelInfo(config: ModelConfig, agent: string): ModelInfo {
  return { agent, name: config.model, host: new URL(config.baseUrl).host };
}

/** The agent a configured model answers as; it becomes the default, `assistant` stays available. */
export const MODEL_AGENT_NAME = 'model';

const SYSTEM_PROMPT = [
  'You are the assistant of agentwire, a server that streams what AI agents do to the user who asked.',
  'Use the calculator tool for any arithmetic, the clock tool for dates and times, and search_docs for questions about agentwire.',
  'Answer briefly and plainly.',
].join(' ');

/**
 * What `agentwire start` / `serve` add for a model: with one, a `model` agent (the built-in tools)
 * as the default agent; without, the deterministic `assistant`. GET /api/info says which.
 */
export function modelServerOptions(config: ModelConfig | undefined): Pick<AgentwireServerOptions, 'agents' | 'defaultAgent' | 'info'> {
  if (!config) return { info: { defaultAgent: 'assistant', model: null } };
  const agent = defineModelAgent({
    name: MODEL_AGENT_NAME,
    description: `Answers with ${config.model}, calling the calculator, the clock and the docs search`,
    model: openAICompatibleModel({ baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey }),
    system: SYSTEM_PROMPT,
    tools: builtinTools,
  });
  return { agents: [agent], defaultAgent: MODEL_AGENT_NAME, info: { defaultAgent: MODEL_AGENT_NAME, model: modelInfo(config, MODEL_AGENT_NAME) } };
}

function configError(message: string): AgentwireError {
  return new AgentwireError(InternalErrorCode.CONFIG, message);
}
