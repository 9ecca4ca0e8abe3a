import 'server-only';

import OpenAI from 'openai';

import { ChatError } from '../../protocol/errors';
import { KeyPool } from '../key-rotation';
import { fetchWithRetryNotices } from '../retry-notice';
import type { ProviderClientOptions } from '../types';

const DEFAULT_MAX_RETRIES = 2;

/** One OpenAI SDK client per key, configured alike; shared by the Chat Completions and Responses adapters. */
export function openAIKeyPool(options: ProviderClientOptions): KeyPool<OpenAI> {
  const apiKeys = options.apiKeys.filter((key) => key.trim() !== '');
  if (apiKeys.length === 0) {
    throw new ChatError('not_configured', 'Set OPENAI_API_KEY to use OpenAI models.');
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  return new KeyPool(
    apiKeys,
    (apiKey) =>
      new OpenAI({
        apiKey,
        // Pass null rather than undefined so the SDK does not fall back to OPENAI_BASE_URL on its own:
        // the caller already decided where requests go.
        baseURL: options.baseURL ?? null,
        maxRetries,
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
        fetch: fetchWithRetryNotices(maxRetries, options.fetch),
      }),
  );
}
