import { http, passthrough } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import type { ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { startChatHarness, type ChatHarness } from '../../support/chat-harness';

/**
 * The real chat handler (embedded PGlite store, loopback fake providers) behind msw: the hooks'
 * fetches to /api/chat are handed to it in-process. Only the fake providers' loopback traffic
 * passes through; any other request fails the test.
 */
export interface ChatBackend {
  harness: ChatHarness;
  server: SetupServer;
  /** Absolute URL of the module's routes, as the hooks resolve them in jsdom. */
  base: string;
  close(): Promise<void>;
}

export async function startChatBackend(overrides: Partial<ChatHandlerOptions> = {}): Promise<ChatBackend> {
  const harness = await asServer(() => startChatHarness(overrides));
  const base = new URL('/api/chat', window.location.href).toString();
  const server = setupServer(
    http.post(base, ({ request }) => harness.handler.chat(request)),
    http.all(`${base}/*`, ({ request }) => harness.handler.route(request)),
    http.all(`${harness.openai.url}/*`, () => passthrough()),
    http.all(`${harness.anthropic.url}/*`, () => passthrough()),
    // The handler's MCP servers are real ones on loopback, too.
    ...(overrides.mcpServers ?? []).map((mcp) => http.all(`${new URL(mcp.url).origin}/*`, () => passthrough())),
  );
  server.listen({ onUnhandledRequest: 'error' });
  // Boot PGlite now, so the first request of a test is not the one that waits seconds for it.
  await harness.call('GET', '/conversations');
  return {
    harness,
    server,
    base,
    async close() {
      server.close();
      await harness.close();
    },
  };
}

/**
 * The provider SDKs refuse to construct where `window`, `document` and `navigator` all exist (a
 * guard against shipping keys to browsers). The handler is server code that merely shares this
 * jsdom process, so hide `navigator` while it builds its clients.
 */
async function asServer<T>(build: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true, writable: true });
  try {
    return await build();
  } finally {
    if (descriptor) Object.defineProperty(globalThis, 'navigator', descriptor);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** ResizeObserver and scrolling, which jsdom lacks and use-stick-to-bottom needs. */
export function installLayoutStubs(): void {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollTo ??= function scrollTo() {};
}

/** A conversation of `count` alternating user/assistant messages, saved as the local user's. */
export async function seedConversation(backend: ChatBackend, count: number): Promise<string> {
  const { LOCAL_USER } = await import('@/features/ai-chat/store/embedded/embedded-chat-store');
  const user = await backend.harness.store.forUser(LOCAL_USER.id);
  const conversation = await user.createConversation({ title: `Seeded ${count}`, provider: 'openai', model: 'gpt-4o' });
  let parentId: string | null = null;
  for (let i = 0; i < count; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    const message = await user.appendMessage({
      conversationId: conversation.id,
      parentId,
      role,
      content: role === 'user' ? `Question ${i}` : `Answer **${i}**`,
      ...(role === 'assistant' ? { provider: 'openai', model: 'gpt-4o', tokens: 7, cost: '0.0001' } : {}),
    });
    parentId = message.id;
  }
  return conversation.id;
}

/** Makes the next POST /api/chat break off, as a dropped connection does, after `chunks` body chunks. */
export function cutNextChatResponse(backend: ChatBackend, chunks: number): void {
  backend.server.use(
    http.post(
      backend.base,
      async ({ request }) => {
        const response = await backend.harness.handler.chat(request);
        let seen = 0;
        const cut = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (seen++ >= chunks) controller.error(new TypeError('network error'));
            else controller.enqueue(chunk);
          },
        });
        return new Response(response.body!.pipeThrough(cut), { status: response.status, headers: response.headers });
      },
      { once: true },
    ),
  );
}
