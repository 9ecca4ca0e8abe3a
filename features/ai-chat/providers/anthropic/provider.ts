import 'server-only';

import Anthropic from '@anthropic-ai/sdk';

import { ChatError } from '../../protocol/errors';
import { anthropicEventsToEvents, anthropicMessageToResult } from './response';
import { toAnthropicParams } from './request';
import { callWithKeyRotation, KeyPool, streamWithKeyRotation } from '../key-rotation';
import { fetchWithRetryNotices, withRetryListener } from '../retry-notice';
import type { ChatProvider, ProviderClientOptions, ProviderRequest } from '../types';

const DEFAULT_MAX_RETRIES = 2;

/** A ChatProvider on the Anthropic Messages API, streaming raw events. */
export function createAnthropicProvider(options: ProviderClientOptions): ChatProvider {
  const apiKeys = options.apiKeys.filter((key) => key.trim() !== '');
  if (apiKeys.length === 0) {
    throw new ChatError('not_configured', 'Set ANTHROPIC_API_KEY to use Claude models.');
  }
  const pool = new KeyPool(
    apiKeys,
    (apiKey) =>
      new Anthropic({
        apiKey,
        // The caller (api/claude.ts) already read ANTHROPIC_BASE_URL; undefined would make the SDK
        // read it again, so fall back to the public endpoint explicitly.
        baseURL: options.baseURL ?? 'https://api.anthropic.com',
        maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
        ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
        fetch: fetchWithRetryNotices(options.maxRetries ?? DEFAULT_MAX_RETRIES, options.fetch),
      }),
  );

  return {
    name: 'anthropic',

    stream(request: ProviderRequest) {
      const body = { ...toAnthropicParams(request), stream: true as const };
      return streamWithKeyRotation(pool, 'anthropic', request.signal, async function* (client) {
        const events = await withRetryListener(request.onRetry, () => client.messages.create(body, { signal: request.signal }));
        yield { type: 'accepted' };
        yield* anthropicEventsToEvents(events, request.signal);
      });
    },

    async complete(request: ProviderRequest) {
      const body = toAnthropicParams(request);
      return callWithKeyRotation(pool, 'anthropic', request.signal, async (client) =>
        anthropicMessageToResult(await client.messages.create(body, { signal: request.signal })),
      );
    },
  };
}
