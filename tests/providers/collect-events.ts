import { isChatError, type ChatError } from '@/features/ai-chat/protocol/errors';
import type { ProviderEvent } from '@/features/ai-chat/providers/types';

/** Drains a stream; the failure, if any, comes back beside the events that arrived before it. */
export async function drain(stream: AsyncIterable<ProviderEvent>): Promise<{ events: ProviderEvent[]; error?: ChatError }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (error) {
    if (!isChatError(error)) throw error;
    return { events, error };
  }
}

export function textOf(events: readonly ProviderEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.delta : '')).join('');
}

export function lastUsage(events: readonly ProviderEvent[]) {
  return events.filter((event) => event.type === 'usage').at(-1);
}

/** Resolves with the ChatError a promise rejects with; fails if it resolves or rejects otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    if (isChatError(error)) return error;
    throw error;
  }
  throw new Error('expected a ChatError, but the call succeeded');
}
