import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '../protocol/chat-events';
import { ChatError } from '../protocol/errors';

const KNOWN_TYPES: ReadonlySet<string> = new Set<string>(chatEventSchema.options.map((option) => option.shape.type.value));

/**
 * Reads POST /api/chat's `text/event-stream` body and hands each event to `onEvent`, in order.
 * Comments (`: ping`) carry nothing; an event type this client does not know is skipped (a newer
 * server), a known one that does not match its schema is an error. Resolves when the body ends.
 */
export async function readChatEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ChatEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  let failure: ChatError | undefined;
  const parser = createParser({
    onEvent(message) {
      if (failure) return;
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch (cause) {
        failure = new ChatError('unknown', 'The server sent a malformed event.', { cause });
        return;
      }
      // The hot path, once per token: a text delta is checked by hand, not walked through zod.
      if (isTextDelta(json)) {
        onEvent(json);
        return;
      }
      const parsed = chatEventSchema.safeParse(json);
      if (parsed.success) {
        onEvent(parsed.data);
        return;
      }
      const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
      if (typeof type === 'string' && KNOWN_TYPES.has(type)) {
        failure = new ChatError('unknown', `The server sent an invalid "${type}" event.`, { cause: parsed.error });
      }
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Stopping cancels the body itself, not only the fetch: not every fetch (polyfills, test
  // interceptors) ends a body that has already started when its request is aborted.
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (failure) throw failure;
    }
    parser.feed(decoder.decode());
    if (failure) throw failure;
  } catch (error) {
    // Stop the body too: a broken stream must not keep the connection open.
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

function isTextDelta(value: unknown): value is Extract<ChatEvent, { type: 'text-delta' }> {
  const event = value as { type?: unknown; delta?: unknown } | null;
  return typeof event === 'object' && event !== null && event.type === 'text-delta' && typeof event.delta === 'string';
}
