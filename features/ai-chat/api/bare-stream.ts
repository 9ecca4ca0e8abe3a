import 'server-only';
import { sendClaudeMessage, type SendClaudeMessageOptions } from './claude';
import { DEFAULT_MODEL_BY_PROVIDER } from './handler-options';
import { sendOpenAIMessage, type SendOpenAIMessageOptions } from './openai';
import { SSE_PING_FRAME, toSseFrame, type ChatEvent } from '../protocol/chat-events';
import { ChatError, isChatError } from '../protocol/errors';
import type { ProviderEvent, ProviderName } from '../providers/types';
import { calculateCost } from '../providers/pricing';

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
export { SSE_HEADERS } from './http';

/**
 * Provider events as SSE frames, with a `: ping` every `pingIntervalMs` of silence. Cancelling
 * the stream (the client left) stops reading the provider, which aborts its request.
 */
export function toEventStream(
  events: AsyncIterable<ProviderEvent>,
  meta: { provider: ProviderName; model: string; pingIntervalMs?: number },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const messageId = crypto.randomUUID();
  let finishReason: Extract<ChatEvent, { type: 'finish' }>['finishReason'] = 'other';
  let ping: ReturnType<typeof setInterval> | undefined;
  let lastSentAt = Date.now();

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const interval = meta.pingIntervalMs ?? 15_000;
      ping = setInterval(() => {
        if (Date.now() - lastSentAt < interval) return;
        lastSentAt = Date.now();
        controller.enqueue(encoder.encode(SSE_PING_FRAME));
      }, interval);
    },
    async pull(controller) {
      const send = (event: ChatEvent) => {
        lastSentAt = Date.now();
        controller.enqueue(encoder.encode(toSseFrame(event)));
      };
      try {
        const next = await iterator.next();
        if (next.done) {
          send({ type: 'finish', messageId, finishReason });
          clearInterval(ping);
          controller.close();
          return;
        }
        const event = next.value;
        if (event.type === 'text-delta') send({ type: 'text-delta', delta: event.delta });
        else if (event.type === 'tool-call') send(event);
        else if (event.type === 'finish') finishReason = event.finishReason;
        else if (event.type === 'usage') {
          send({
            type: 'usage',
            promptTokens: event.promptTokens,
            completionTokens: event.completionTokens,
            totalTokens: event.promptTokens + event.completionTokens,
            cost: calculateCost({ provider: meta.provider, model: meta.model, ...event }),
          });
        }
      } catch (error) {
        const chatError = isChatError(error) ? error : new ChatError('unknown', 'The reply failed.', { cause: error });
        send({ type: 'error', code: chatError.code, message: chatError.message });
        clearInterval(ping);
        controller.close();
      }
    },
    async cancel() {
      clearInterval(ping);
      await iterator.return?.();
    },
  });
}
