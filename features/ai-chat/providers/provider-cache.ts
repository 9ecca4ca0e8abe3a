import 'server-only';

import type { ChatProvider, ProviderClientOptions } from './types';

const MAX_CACHED = 16;
const cache = new Map<string, ChatProvider>();

/**
 * Reuses one provider per configuration so SDK clients (and their connection pools) and the
 * key-rotation state survive across calls. A custom `fetch` cannot be compared, so it is never cached.
 */
export function cachedProvider(
  kind: string,
  options: ProviderClientOptions,
  create: (options: ProviderClientOptions) => ChatProvider,
): ChatProvider {
  if (options.fetch) return create(options);
  const key = JSON.stringify([kind, options.apiKeys, options.baseURL, options.maxRetries, options.timeoutMs]);
  const hit = cache.get(key);
  if (hit) return hit;
  const provider = create(options);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, provider);
  return provider;
}
