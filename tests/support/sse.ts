import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '@/features/ai-chat/protocol/chat-events';

/**
 * Reads a whole SSE response into protocol events, each checked against the schema. `onEvent`
 * sees each as it arrives (a test waits on one instead of on the clock).
 */
export async function readChatEvents(response: Response, onEvent?: (event: ChatEvent) => void): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  const parser = createParser({
    onEvent: (message) => {
      const event = chatEventSchema.parse(JSON.parse(message.data));
      events.push(event);
      onEvent?.(event);
    },
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  return events;
}

/** The concatenated text of the text-delta events. */
export function textOf(events: readonly ChatEvent[]): string {
  return events.map((event) => (event.type === 'text-delta' ? event.delta : '')).join('');
}

/**
 * Reads a whole SSE response as readChatEvents does, and also says when `count` text deltas have
 * arrived: a reply that is under way, for a test that must act mid-reply.
 */
export function readChatEventsMidReply(response: Response, count = 3): { midReply: Promise<void>; events: Promise<ChatEvent[]> } {
  let seen = 0;
  let reached!: () => void;
  const midReply = new Promise<void>((resolve) => (reached = resolve));
  const events = readChatEvents(response, (event) => {
    if (event.type === 'text-delta' && ++seen === count) reached();
  });
  // A stream that ends (or fails) first releases the waiter; the test then sees why in `events`.
  void events.then(reached, reached);
  return { midReply, events };
}
