import 'server-only';

import { callWithKeyRotation, streamWithKeyRotation } from './key-rotation';
import { openAIKeyPool } from './openai-client';
import { toOpenAIResponsesParams } from './openai-responses-request';
import { openAIResponseToResult, responsesEventsToProviderEvents } from './openai-responses-response';
import { withRetryListener } from './retry-notice';
import type { ChatProvider, ProviderClientOptions, ProviderRequest } from './types';

/**
 * A ChatProvider on the OpenAI Responses API (api.openai.com): reasoning summaries streamed,
 * reasoning items kept encrypted and sent back within a tool loop, nothing stored at OpenAI.
 * Same keys, retries, retry notices and key rotation as the Chat Completions adapter.
 */
export function createOpenAIResponsesProvider(options: ProviderClientOptions): ChatProvider {
  const pool = openAIKeyPool(options);

  return {
    name: 'openai',

    stream(request: ProviderRequest) {
      const body = { ...toOpenAIResponsesParams(request), stream: true as const };
      return streamWithKeyRotation(pool, 'openai', request.signal, async function* (client) {
        const events = await withRetryListener(request.onRetry, () => client.responses.create(body, { signal: request.signal }));
        yield { type: 'accepted' };
        yield* responsesEventsToProviderEvents(events, request.signal);
      });
    },

    async complete(request: ProviderRequest) {
      const body = { ...toOpenAIResponsesParams(request), stream: false as const };
      return callWithKeyRotation(pool, 'openai', request.signal, async (client) =>
        openAIResponseToResult(await client.responses.create(body, { signal: request.signal })),
      );
    },
  };
}
