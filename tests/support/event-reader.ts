import { createParser } from 'eventsource-parser';
import { chatEventSchema, type ChatEvent } from '@/features/ai-chat/protocol/chat-events';

/** A reply's SSE read as it comes: wait for an event, read to the end, or leave (a closed tab). */
export interface EventReader {
  events: ChatEvent[];
  /** The first event (already seen or to come) that matches. */
  waitFor<T extends ChatEvent['type']>(type: T, match?: (event: Extract<ChatEvent, { type: T }>) => boolean): Promise<Extract<ChatEvent, { type: T }>>;
  /** Every event, once the stream ends. */
  done: Promise<ChatEvent[]>;
  /** Stops reading (the client goes away). */
  leave(): Promise<void>;
}

export function readEvents(response: Response): EventReader {
  const events: ChatEvent[] = [];
  const waiters = new Set<() => void>();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parser = createParser({
    onEvent: (message) => {
      events.push(chatEventSchema.parse(JSON.parse(message.data)));
      for (const wake of [...waiters]) wake();
    },
  });
  let ended = false;
  const done = (async () => {
    try {
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        parser.feed(value);
      }
    } catch {
      // left
    }
    ended = true;
    for (const wake of [...waiters]) wake();
    return events;
  })();
  return {
    events,
    done,
    waitFor(type, match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((event) => event.type === type && (!match || match(event as never)));
          if (found) {
            waiters.delete(check);
            resolve(found as never);
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`the stream ended without a ${type} event: ${JSON.stringify(events.map((e) => e.type))}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async leave() {
      await reader.cancel().catch(() => undefined);
    },
  };
}
