import 'server-only';

import OpenAI from 'openai';

import { ChatError } from '../protocol/errors';
import { callWithKeyRotation, KeyPool, streamWithKeyRotation } from './key-rotation';
import { openAIChunksToEvents, openAICompletionToResult } from './openai-response';
import { toOpenAIChatParams } from './openai-request';
import { fetchWithRetryNotices, withRetryListener } from './retry-notice';
import type { ChatProvider, ProviderClientOptions, ProviderRequest } from './types';

const DEFAULT_MAX_RETRIES = 2;

/**
 * A ChatProvider on the OpenAI Chat Completions API. Only that API is used (not Responses), so any
 * OpenAI-compatible server behind `baseURL` works too.
 */
export function createOpenAIProvider(options: ProviderClientOptions): ChatProvider {
  const apiKeys = options.apiKeys.filter((key) => key.trim() !== '');
  if (apiKeys.length === 0) {
    throw new ChatError('not_configured', 'Set OPENAI_API_KEY to use OpenAI models.');
  }
  const pool = new KeyPool(
    apiKeys,
    (apiKey) =>
      new OpenAI({
        apiKey,
        // Pass null rather than undefined so the SDK does not fall back to OPENAI_BASE_URL on its own:
        // the caller (api/openai.ts) already decided where requests go.
        baseURL: options.baseURL ?? null,
        maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
        fetch: fetchWithRetryNotices(options.maxRetries ?? DEFAULT_MAX_RETRIES, options.fetch),
      }),
  );

  return {
    name: 'openai',

    stream(request: ProviderRequest) {
      const body = { ...toOpenAIChatParams(request), stream: true as const, stream_options: { include_usage: true } };
      return streamWithKeyRotation(pool, 'openai', request.signal, async function* (client) {
        const chunks = await withRetryListener(request.onRetry, () => client.chat.completions.create(body, { signal: request.signal }));
        yield { type: 'accepted' };
        yield* openAIChunksToEvents(chunks, request.signal);
      });
    },

    async complete(request: ProviderRequest) {
      const body = { ...toOpenAIChatParams(request), stream: false as const };
      return callWithKeyRotation(pool, 'openai', request.signal, async (client) =>
        openAICompletionToResult(await client.chat.completions.create(body, { signal: request.signal })),
      );
    },
  };
}
