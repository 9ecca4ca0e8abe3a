import { createChatHandler, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { createEmbeddedChatStore, type EmbeddedChatStore } from '@/features/ai-chat/store/embedded/embedded-chat-store';
import { startFakeAnthropic, startFakeOpenAI, type FakeProviderOptions, type FakeProviderServer } from './fake-providers';
import { leasePglite } from './pglite-pool';
import { SUPABASE_DIR } from './test-databases';

export const OPENAI_TEST_KEY = 'sk-test-openai-0123456789';
export const ANTHROPIC_TEST_KEY = 'sk-ant-test-0123456789';

/**
 * The real chat handler on an in-memory embedded store, with both providers pointed at loopback
 * fakes that speak their wire formats. Nothing of ours is mocked.
 */
export interface ChatHarness {
  handler: ChatHandler;
  store: EmbeddedChatStore;
  openai: FakeProviderServer;
  anthropic: FakeProviderServer;
  /** POST /api/chat with a JSON body (or a raw string). */
  post(body: unknown, init?: { signal?: AbortSignal; headers?: Record<string, string> }): Promise<Response>;
  /** A REST call under /api/chat. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  /** Superuser SQL on the store's database, for assertions. */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Row counts of the three tables: what a refused request must leave unchanged. */
  counts(): Promise<{ conversations: number; messages: number; usage: number }>;
  close(): Promise<void>;
}

export async function startChatHarness(
  overrides: Partial<ChatHandlerOptions> = {},
  fakes: { openai?: FakeProviderOptions; anthropic?: FakeProviderOptions } = {},
): Promise<ChatHarness> {
  const [openai, anthropic, database] = await Promise.all([
    startFakeOpenAI(fakes.openai),
    startFakeAnthropic(fakes.anthropic),
    leasePglite(SUPABASE_DIR),
  ]);
  const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR, pglite: database.db });
  const handler = createChatHandler({
    store,
    providers: {
      openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 2 }),
      anthropic: createAnthropicProvider({ apiKeys: [ANTHROPIC_TEST_KEY], baseURL: anthropic.url, maxRetries: 2 }),
    },
    models: {
      openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o', 'gpt-4o-mini'] },
      anthropic: { defaultModel: 'claude-sonnet-4-5', allowedModels: ['claude-sonnet-4-5', 'claude-haiku-4-5'] },
    },
    ...overrides,
  });

  // Boot the database here, in the suite's beforeAll, rather than in its first test's hook.
  await store.database();
  const sql = async <Row,>(text: string, params?: unknown[]) => (await (await store.database()).query<Row>(text, params)).rows;
  return {
    handler,
    store,
    openai,
    anthropic,
    post(body, init = {}) {
      return handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...init.headers },
          body: typeof body === 'string' ? body : JSON.stringify(body),
          signal: init.signal,
        }),
      );
    },
    call(method, path, body) {
      return handler.route(
        new Request(`http://localhost/api/chat${path}`, {
          method,
          headers: body === undefined ? undefined : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    },
    sql,
    async counts() {
      const [row] = await sql<{ conversations: number; messages: number; usage: number }>(
        `select (select count(*)::int from public.ai_chat_conversations) as conversations,
                (select count(*)::int from public.ai_chat_messages) as messages,
                (select count(*)::int from public.ai_chat_usage) as usage`,
      );
      return row!;
    },
    async close() {
      // Its reply timer stops with it: in a shared worker it would tick on into the next file.
      handler.replies.halt();
      await Promise.all([store.close().then(database.release), openai.close(), anthropic.close()]);
    },
  };
}

/** Polls until `check` passes: for what the handler finishes after the client has gone. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
