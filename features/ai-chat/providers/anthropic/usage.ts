import 'server-only';

import type { ProviderUsage } from '../types';

/** The usage fields of message_start, message_delta and a whole Message. */
export interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** Input counts seen so far in a stream: message_delta may repeat or leave out message_start's. */
export interface InputCounts {
  tokens: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

export const emptyUsage = (): ProviderUsage => ({ promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 });
export const emptyInput = (): InputCounts => ({ tokens: 0, cacheWrite: 0, cacheWrite1h: 0 });

/**
 * Anthropic's input_tokens excludes cache reads and writes; they are added back so promptTokens
 * means "all input tokens" for both providers, as OpenAI's prompt_tokens does. Writes are reported
 * apart, by lifetime, because they are billed above the input rate (1.25× for 5 minutes, 2× for an
 * hour); reasoning tokens apart because they are output the answer does not contain.
 */
export function mergeUsage(previous: ProviderUsage, fields: AnthropicUsageFields, input: InputCounts): ProviderUsage {
  if (fields.input_tokens != null) input.tokens = fields.input_tokens;
  if (fields.cache_creation_input_tokens != null) input.cacheWrite = fields.cache_creation_input_tokens;
  if (fields.cache_creation?.ephemeral_1h_input_tokens != null) input.cacheWrite1h = fields.cache_creation.ephemeral_1h_input_tokens;
  const cachedPromptTokens = fields.cache_read_input_tokens ?? previous.cachedPromptTokens;
  // The breakdown by lifetime, when given, splits the total; without it every write is a 5-minute one.
  const cacheWrite1hTokens = Math.min(input.cacheWrite1h, input.cacheWrite);
  const reasoningTokens = fields.output_tokens_details?.thinking_tokens ?? previous.reasoningTokens;
  return {
    promptTokens: input.tokens + input.cacheWrite + cachedPromptTokens,
    completionTokens: fields.output_tokens ?? previous.completionTokens,
    cachedPromptTokens,
    ...(input.cacheWrite > 0 ? { cacheWriteTokens: input.cacheWrite - cacheWrite1hTokens, cacheWrite1hTokens } : {}),
    ...(reasoningTokens ? { reasoningTokens } : {}),
  };
}

/** One whole Message's usage in the provider-neutral shape. */
export function toUsage(usage: AnthropicUsageFields): ProviderUsage {
  return mergeUsage(emptyUsage(), usage, emptyInput());
}
