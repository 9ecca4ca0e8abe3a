import 'server-only';
import { SSE_PING_FRAME, toSseFrame, type ChatEvent } from '../../protocol/chat-events';

const encoder = new TextEncoder();

/** Where a producer writes one SSE response body. */
export interface SseWriter<Event = ChatEvent> {
  /** Writes one event; false once the reader has left (nothing more is written). */
  send(event: Event): boolean;
  /** Ends the body. */
  close(): void;
  /** The reader left or the body ended. */
  readonly closed: boolean;
}

export interface SseStreamOptions<Event> {
  /** A `: ping` comment after this much silence, so proxies keep an idle connection open. */
  pingIntervalMs: number;
  /** One event as its frame (several, or none). Default: `data: <json>` of the module's own protocol. */
  frame?: (event: Event) => string;
  /** Written last when the producer ends the body (the AI SDK stream's `data: [DONE]`). */
  trailer?: string;
  /** The reader left (not called when the producer closed the body itself). */
  onCancel?: () => void | Promise<void>;
}

/** How a body frames its events when not in our own protocol: each event, and the last frame. */
export type SseFraming<Event = ChatEvent> = Pick<SseStreamOptions<Event>, 'frame' | 'trailer'>;

/**
 * The one SSE writer: every streamed body of the module (a reply as it is written, a reply
 * followed from checkpoints, the bare provider stream) is framed, pinged and closed here. The
 * producer pushes; a reader that left turns every later send into a no-op.
 */
export function createSseStream<Event = ChatEvent>(
  produce: (writer: SseWriter<Event>) => void | Promise<void>,
  options: SseStreamOptions<Event>,
): ReadableStream<Uint8Array> {
  const frame = options.frame ?? (toSseFrame as (event: Event) => string);
  let closed = false;
  let ping: ReturnType<typeof setInterval> | undefined;
  let lastSentAt = Date.now();
  const stop = () => {
    closed = true;
    if (ping) clearInterval(ping);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string): boolean => {
        if (closed) return false;
        if (text === '') return true;
        try {
          controller.enqueue(encoder.encode(text));
          lastSentAt = Date.now();
          return true;
        } catch {
          stop();
          return false;
        }
      };
      const writer: SseWriter<Event> = {
        send: (event) => write(frame(event)),
        close() {
          if (closed) return;
          if (options.trailer) write(options.trailer);
          stop();
          try {
            controller.close();
          } catch {
            // Already errored or cancelled: nothing left to end.
          }
        },
        get closed() {
          return closed;
        },
      };
      ping = setInterval(() => {
        if (Date.now() - lastSentAt >= options.pingIntervalMs) write(SSE_PING_FRAME);
      }, options.pingIntervalMs);
      // Not awaited: a producer that loops (following checkpoints) must not hold up the response.
      void Promise.resolve()
        .then(() => produce(writer))
        .catch((error: unknown) => {
          console.error('ai-chat: a streamed reply failed', error);
          writer.close();
        });
    },
    async cancel() {
      if (closed) return;
      stop();
      await options.onCancel?.();
    },
  });
}
