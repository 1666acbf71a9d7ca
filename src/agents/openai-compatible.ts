/**
 * A model from any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio,
 * llama.cpp, OpenRouter…), through the AI SDK's openai-compatible provider: chat completions,
 * streamed over SSE, with token usage in the stream.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { ModelAgentModel } from './model-agent.js';

export interface OpenAICompatibleModelOptions {
  /** The API's base URL, up to and without /chat/completions, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  /** The model name the endpoint knows, e.g. gpt-4o-mini, llama3.1. */
  model: string;
  /** Sent as `Authorization: Bearer`; local servers usually need none. */
  apiKey?: string | undefined;
  /** The provider name reported in results and logs (default "openai-compatible"). */
  providerName?: string;
}

export function openAICompatibleModel(options: OpenAICompatibleModelOptions): ModelAgentModel {
  const provider = createOpenAICompatible({
    name: options.providerName ?? 'openai-compatible',
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    includeUsage: true,
  });
  return provider.chatModel(options.model);
}
