import 'server-only';

import { openAIKeyPool } from './client';
import { callWithKeyRotation, streamWithKeyRotation } from '../key-rotation';
import { openAIChunksToEvents, openAICompletionToResult } from './chat-completions-response';
import { toOpenAIChatParams } from './chat-completions-request';
import { withRetryListener } from '../retry-notice';
import type { ChatProvider, ProviderClientOptions, ProviderRequest } from '../types';

/**
 * A ChatProvider on the OpenAI Chat Completions API: the one OpenAI-compatible servers behind
 * `baseURL` (Ollama, vLLM, OpenRouter) speak. api.openai.com itself is better served by the
 * Responses adapter (openai-responses-provider.ts), which streams reasoning summaries.
 */
export function createOpenAIProvider(options: ProviderClientOptions): ChatProvider {
  const pool = openAIKeyPool(options);

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
