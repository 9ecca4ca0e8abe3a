import 'server-only';

import { createOpenAIProvider } from './chat-completions-provider';
import { createOpenAIResponsesProvider } from './responses-provider';
import type { ChatProvider, ProviderClientOptions } from '../types';

/** Which OpenAI API the `openai` provider speaks. */
export const OPENAI_APIS = ['responses', 'chat-completions'] as const;
export type OpenAIApi = (typeof OPENAI_APIS)[number];

/**
 * The API to use when none is configured: Responses for OpenAI itself (no base URL, or
 * api.openai.com), Chat Completions for anything else behind a base URL, since that is the API
 * OpenAI-compatible servers (Ollama, vLLM, OpenRouter, LiteLLM) implement.
 */
export function defaultOpenAIApi(baseURL: string | undefined): OpenAIApi {
  if (baseURL === undefined || baseURL.trim() === '') return 'responses';
  try {
    return new URL(baseURL).hostname === 'api.openai.com' ? 'responses' : 'chat-completions';
  } catch {
    return 'chat-completions';
  }
}

export interface OpenAIProviderOptions extends ProviderClientOptions {
  /** Default: defaultOpenAIApi(baseURL). */
  api?: OpenAIApi;
}

/** The `openai` provider on the configured API. */
export function createConfiguredOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const { api = defaultOpenAIApi(options.baseURL), ...client } = options;
  return api === 'responses' ? createOpenAIResponsesProvider(client) : createOpenAIProvider(client);
}
