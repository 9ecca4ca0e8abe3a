import 'server-only';

import { AsyncLocalStorage } from 'node:async_hooks';

import type { ProviderRetry } from './types';

/**
 * Tells a request's caller when the SDK is about to back off and retry, before it sleeps. The
 * SDKs retry inside `create()` (408/409/429/5xx and connection errors, `retry-after` honoured,
 * else 0.5 s doubling to 8 s with jitter) and say nothing while they wait; their `fetch` is the
 * one seam that sees each attempt's status and headers. This wraps it and applies the SDKs' own
 * rule (`x-should-retry`, status, attempts left from `x-stainless-retry-count`), so a notice is
 * sent exactly when the SDK will retry. The listener travels with the request's async context.
 */

const listeners = new AsyncLocalStorage<(retry: ProviderRetry) => void>();

/** Runs `work` (which makes SDK calls) with `listener` told of each retry those calls make. */
export function withRetryListener<T>(listener: ((retry: ProviderRetry) => void) | undefined, work: () => T): T {
  return listener ? listeners.run(listener, work) : work();
}

/** A fetch for an SDK client configured with `maxRetries`. */
export function fetchWithRetryNotices(maxRetries: number, inner?: typeof fetch): typeof fetch {
  // Captured now, as the SDKs capture their default fetch when a client is built.
  const base = inner ?? globalThis.fetch;
  return async (input, init) => {
    const listener = listeners.getStore();
    const attempt = retryCountOf(init?.headers);
    const willRetry = attempt < maxRetries;
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      if (listener && willRetry && !init?.signal?.aborted) {
        listener({ attempt: attempt + 1, retryAfterSeconds: backoffSeconds(attempt), reason: 'network' });
      }
      throw error;
    }
    if (listener && willRetry && !response.ok && sdkWillRetry(response)) {
      listener({ attempt: attempt + 1, retryAfterSeconds: retryAfterSeconds(response.headers) ?? backoffSeconds(attempt), reason: reasonOf(response.status) });
    }
    return response;
  };
}

function retryCountOf(headers: HeadersInit | undefined): number {
  const value = headers ? new Headers(headers).get('x-stainless-retry-count') : null;
  const count = value === null ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(count) ? count : 0;
}

/** The SDKs' shouldRetry, minus Anthropic's one-off 401 token refresh (we use API keys). */
function sdkWillRetry(response: Response): boolean {
  const header = response.headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return response.status === 408 || response.status === 409 || response.status === 429 || response.status >= 500;
}

function reasonOf(status: number): ProviderRetry['reason'] {
  if (status === 429) return 'rate_limited';
  // 529 is Anthropic's "overloaded"; 503 is OpenAI's.
  if (status === 529 || status === 503) return 'overloaded';
  return 'server_error';
}

/** The wait the SDK will take, read the way it reads it: `retry-after-ms`, then `retry-after`. */
function retryAfterSeconds(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return Math.max(0, Math.ceil(ms / 1000));
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

/** The SDKs' default backoff before retry n+1, without the jitter (which only shortens it). */
function backoffSeconds(attempt: number): number {
  return Math.ceil(Math.min(0.5 * 2 ** attempt, 8));
}
