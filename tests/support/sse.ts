import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '@/features/ai-chat/protocol/chat-events';

/** Reads a whole SSE response into protocol events, each checked against the schema. */
export async function readChatEvents(response: Response): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  const parser = createParser({
    onEvent: (message) => events.push(chatEventSchema.parse(JSON.parse(message.data))),
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
