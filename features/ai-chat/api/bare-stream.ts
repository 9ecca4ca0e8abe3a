import 'server-only';
import { sendClaudeMessage, type SendClaudeMessageOptions } from './claude';
import { DEFAULT_MODEL_BY_PROVIDER } from '../server/http/handler-options';
import { sendOpenAIMessage, type SendOpenAIMessageOptions } from './openai';
import type { ChatEvent } from '../protocol/chat-events';
import { ChatError, isChatError } from '../protocol/errors';
import type { ProviderEvent, ProviderName } from '../providers/types';
import { calculateCost } from '../providers/pricing';
import { createSseStream } from '../server/http/sse-stream';

/**
 * Bare streaming, for apps that want a reply as SSE without conversations, persistence or
 * limits. The frames are the module's protocol (see protocol/chat-events) minus `start`:
 * `text-delta`, `tool-call`, `usage`, then `finish` or `error`. The history comes from the
 * caller here, so only use it where the caller is trusted to send it.
 */

type BareOptions<T> = Omit<T, 'stream' | 'model'> & { model?: string };

/** Streams an OpenAI reply as an SSE body. Rejects, before any byte, if the provider refuses. */
export async function streamOpenAIResponse(options: BareOptions<SendOpenAIMessageOptions>): Promise<ReadableStream<Uint8Array>> {
  const model = options.model ?? DEFAULT_MODEL_BY_PROVIDER.openai;
  const events = await sendOpenAIMessage({ ...options, model, stream: true });
  return toEventStream(events, { provider: 'openai', model });
}

/** Streams a Claude reply as an SSE body. Rejects, before any byte, if the provider refuses. */
export async function streamClaudeResponse(options: BareOptions<SendClaudeMessageOptions>): Promise<ReadableStream<Uint8Array>> {
  const model = options.model ?? DEFAULT_MODEL_BY_PROVIDER.anthropic;
  const events = await sendClaudeMessage({ ...options, model, stream: true });
  return toEventStream(events, { provider: 'anthropic', model });
}

/** The SSE headers to answer these streams with. */
export { SSE_HEADERS } from '../server/http/http';

/**
 * Provider events as SSE frames, with a `: ping` every `pingIntervalMs` of silence. Cancelling
 * the stream (the client left) stops reading the provider, which aborts its request.
 */
export function toEventStream(
  events: AsyncIterable<ProviderEvent>,
  meta: { provider: ProviderName; model: string; pingIntervalMs?: number },
): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  return createSseStream(
    async (writer) => {
      const messageId = crypto.randomUUID();
      let finishReason: Extract<ChatEvent, { type: 'finish' }>['finishReason'] = 'other';
      try {
        for (let next = await iterator.next(); !next.done && !writer.closed; next = await iterator.next()) {
          const event = next.value;
          if (event.type === 'text-delta') writer.send({ type: 'text-delta', delta: event.delta });
          else if (event.type === 'tool-call') writer.send(event);
          else if (event.type === 'finish') finishReason = event.finishReason;
          else if (event.type === 'usage') {
            writer.send({
              type: 'usage',
              promptTokens: event.promptTokens,
              completionTokens: event.completionTokens,
              totalTokens: event.promptTokens + event.completionTokens,
              cost: calculateCost({ provider: meta.provider, model: meta.model, ...event }),
            });
          }
        }
        writer.send({ type: 'finish', messageId, finishReason });
      } catch (error) {
        const chatError = isChatError(error) ? error : new ChatError('unknown', 'The reply failed.', { cause: error });
        writer.send({ type: 'error', code: chatError.code, message: chatError.message });
      }
      writer.close();
    },
    // The client left: stop reading the provider, which aborts its request.
    { pingIntervalMs: meta.pingIntervalMs ?? 15_000, onCancel: () => void iterator.return?.() },
  );
}
