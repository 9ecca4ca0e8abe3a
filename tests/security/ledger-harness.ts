import { createChatHandler, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeAnthropic, startFakeOpenAI, type FakeProviderOptions, type FakeProviderServer } from '../support/fake-providers';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from '../support/test-databases';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';

/**
 * The real handler on a real database (PGlite, or PostgreSQL 15 when TEST_DATABASE_URL is set), one
 * user per test, both providers on loopback fakes: what the ledger's attack tests drive.
 */
export interface LedgerRig {
  db: TestDatabase;
  openai: FakeProviderServer;
  anthropic: FakeProviderServer;
  close(): Promise<void>;
}

export async function openLedgerRig(
  kind: DatabaseKind,
  fakes: { openai?: FakeProviderOptions; anthropic?: FakeProviderOptions } = {},
): Promise<LedgerRig> {
  const [db, openai, anthropic] = await Promise.all([openTestDatabase(kind), startFakeOpenAI(fakes.openai), startFakeAnthropic(fakes.anthropic)]);
  return {
    db,
    openai,
    anthropic,
    close: async () => {
      await Promise.all([db.close(), openai.close(), anthropic.close()]);
    },
  };
}

export interface UserRig {
  userId: string;
  handler: ChatHandler;
  post(body: unknown, init?: { signal?: AbortSignal }): Promise<Response>;
  call(method: string, path: string, body?: unknown): Promise<Response>;
  /** This user's usage rows, oldest first. */
  usage(): Promise<UsageRow[]>;
}

export interface UsageRow {
  status: 'reserved' | 'settled';
  provider: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cache_write_tokens: number;
  cost: string | null;
  conversation_id: string | null;
  message_id: string | null;
}

/** A new user and a handler for them; `wrapStore` may put a fault in front of their store. */
export async function userRig(
  rig: LedgerRig,
  options: Partial<ChatHandlerOptions> = {},
  wrapStore: (store: UserChatStore) => UserChatStore = (store) => store,
): Promise<UserRig> {
  const userId = await rig.db.createUser();
  const handler = createChatHandler({
    store: { forRequest: async () => wrapStore(new PostgresUserStore(rig.db.sql, userId)), replies: new SqlReplyRunStore(rig.db.sql), close: async () => {} },
    providers: {
      openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: rig.openai.url, maxRetries: 1 }),
      anthropic: createAnthropicProvider({ apiKeys: [ANTHROPIC_TEST_KEY], baseURL: rig.anthropic.url, maxRetries: 1 }),
    },
    models: {
      openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o', 'gpt-4o-mini'] },
      anthropic: { defaultModel: 'claude-sonnet-4-5' },
    },
    ...options,
  });
  return {
    userId,
    handler,
    post: (body, init = {}) =>
      handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: init.signal,
        }),
      ),
    call: (method, path, body) =>
      handler.route(
        new Request(`http://localhost/api/chat${path}`, {
          method,
          headers: body === undefined ? undefined : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ),
    usage: async () =>
      (await rig.db.admin(
        `select status, provider, model, prompt_tokens, completion_tokens, total_tokens, cache_write_tokens,
                cost::text as cost, conversation_id, message_id
           from public.ai_chat_usage where user_id = $1 order by created_at, id`,
        [userId],
      )) as unknown as UsageRow[],
  };
}

/** Sums of a user's usage rows. */
export function totals(rows: readonly UsageRow[]): { tokens: number; reserved: number } {
  return {
    tokens: rows.reduce((sum, row) => sum + row.total_tokens, 0),
    reserved: rows.filter((row) => row.status === 'reserved').length,
  };
}
