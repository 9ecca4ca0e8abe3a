import 'server-only';

import type OpenAI from 'openai';
import type { ResponseCreateParamsBase } from 'openai/resources/responses/responses';

import { callWithKeyRotation, streamWithKeyRotation } from '../key-rotation';
import { openAIKeyPool } from './client';
import { toOpenAIResponsesParams } from './responses-request';
import { openAIResponseToResult, responsesEventsToProviderEvents } from './responses-response';
import { isSummaryRefusal, withoutSummary } from './responses-summaries';
import { withRetryListener } from '../retry-notice';
import type { ChatProvider, ProviderClientOptions, ProviderRequest } from '../types';

/**
 * A ChatProvider on the OpenAI Responses API (api.openai.com): reasoning summaries streamed,
 * reasoning items kept encrypted and sent back within a tool loop, nothing stored at OpenAI.
 * Same keys, retries, retry notices and key rotation as the Chat Completions adapter.
 */
export function createOpenAIResponsesProvider(options: ProviderClientOptions): ChatProvider {
  const pool = openAIKeyPool(options);
  // Cleared for good once the organisation turns out not to be allowed summaries.
  let summaries = true;

  /** One request, asked again without summaries if the organisation may not have them. */
  async function create<Params extends ResponseCreateParamsBase, Result>(
    params: Params,
    send: (params: Params) => Promise<Result>,
  ): Promise<Result> {
    if (!summaries) return send(withoutSummary(params));
    try {
      return await send(params);
    } catch (error) {
      if (!isSummaryRefusal(error)) throw error;
      summaries = false;
      return send(withoutSummary(params));
    }
  }

  return {
    name: 'openai',

    stream(request: ProviderRequest) {
      const body = { ...toOpenAIResponsesParams(request), stream: true as const };
      return streamWithKeyRotation(pool, 'openai', request.signal, async function* (client: OpenAI) {
        const events = await withRetryListener(request.onRetry, () =>
          create(body, (params) => client.responses.create(params, { signal: request.signal })),
        );
        yield { type: 'accepted' };
        yield* responsesEventsToProviderEvents(events, request.signal);
      });
    },

    async complete(request: ProviderRequest) {
      const body = { ...toOpenAIResponsesParams(request), stream: false as const };
      return callWithKeyRotation(pool, 'openai', request.signal, async (client) =>
        openAIResponseToResult(await create(body, (params) => client.responses.create(params, { signal: request.signal }))),
      );
    },
  };
}
