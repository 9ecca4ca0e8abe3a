import 'server-only';

import { ChatError } from '../protocol/errors';
import { mapProviderError, providerStatusOf } from './map-provider-error';
import type { ProviderEvent, ProviderName } from './types';

/**
 * One SDK client per API key, with the key to try first. A key that was refused moves the start to
 * the next one, so later requests stop paying for a known-bad key.
 */
export class KeyPool<Client> {
  private readonly clients: Client[];
  private preferred = 0;

  constructor(apiKeys: readonly string[], makeClient: (apiKey: string) => Client) {
    this.clients = apiKeys.map(makeClient);
  }

  get size(): number {
    return this.clients.length;
  }

  /** Clients in the order to try them for one request. */
  order(): Array<{ index: number; client: Client }> {
    return this.clients.map((_, offset) => {
      const index = (this.preferred + offset) % this.clients.length;
      return { index, client: this.clients[index] as Client };
    });
  }

  markRefused(index: number): void {
    if (this.preferred === index) this.preferred = (index + 1) % this.clients.length;
  }
}

/**
 * 401 (bad or revoked key) and 429 (this key's quota) are about the key, not the request; anything
 * else would fail the same way with another key. The SDK has already retried a 429 by now.
 */
function isKeyRefusal(error: ChatError): boolean {
  const status = providerStatusOf(error);
  return status === 401 || status === 429;
}

/**
 * Streams from the first key that accepts the request. Once an event has been yielded the stream
 * is committed to its key: a later failure is thrown, never retried, so no token is sent twice.
 */
export async function* streamWithKeyRotation<Client>(
  pool: KeyPool<Client>,
  provider: ProviderName,
  signal: AbortSignal | undefined,
  open: (client: Client) => AsyncIterable<ProviderEvent>,
): AsyncGenerator<ProviderEvent, void, undefined> {
  const attempts = pool.order();
  for (const [attempt, { index, client }] of attempts.entries()) {
    let yielded = false;
    try {
      for await (const event of open(client)) {
        yielded = true;
        yield event;
      }
      return;
    } catch (raw) {
      const error = mapProviderError(raw, provider, signal);
      const isLast = attempt === attempts.length - 1;
      if (yielded || isLast || !isKeyRefusal(error)) throw error;
      pool.markRefused(index);
    }
  }
}

/** The non-streaming twin of streamWithKeyRotation. */
export async function callWithKeyRotation<Client, Result>(
  pool: KeyPool<Client>,
  provider: ProviderName,
  signal: AbortSignal | undefined,
  call: (client: Client) => Promise<Result>,
): Promise<Result> {
  const attempts = pool.order();
  let lastError: ChatError | undefined;
  for (const [attempt, { index, client }] of attempts.entries()) {
    try {
      return await call(client);
    } catch (raw) {
      lastError = mapProviderError(raw, provider, signal);
      if (attempt === attempts.length - 1 || !isKeyRefusal(lastError)) throw lastError;
      pool.markRefused(index);
    }
  }
  // Only reachable with an empty pool, which the factories refuse.
  throw lastError ?? new ChatError('not_configured', 'No API key is configured for this provider.');
}
