import { http } from 'msw';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import type { ChatBackend } from './chat-backend';

/** One event to send, after waiting `afterMs` (default 0). */
export type ScriptedEvent = ChatEvent & { afterMs?: number };

/**
 * Makes the next POST /api/chat answer with exactly these SSE events, in order and at these
 * moments: the events a server of this protocol sends (reasoning, refusal, cache usage), before
 * the server side of them exists. Resolves `requests` with each body the client sent.
 */
export function scriptNextChat(backend: ChatBackend, events: readonly ScriptedEvent[]): { bodies: unknown[] } {
  const bodies: unknown[] = [];
  backend.server.use(
    http.post(
      backend.base,
      async ({ request }) => {
        bodies.push(await request.json());
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            for (const { afterMs = 0, ...event } of events) {
              if (afterMs > 0) await new Promise((resolve) => setTimeout(resolve, afterMs));
              controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
            }
            controller.close();
          },
        });
        return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      },
      { once: true },
    ),
  );
  return { bodies };
}

/** A `start` event with fresh ids. */
export function startEvent(provider = 'anthropic', model = 'claude-sonnet-5-5'): ChatEvent {
  return {
    type: 'start',
    conversationId: crypto.randomUUID(),
    userMessageId: crypto.randomUUID(),
    assistantMessageId: crypto.randomUUID(),
    provider,
    model,
  };
}
