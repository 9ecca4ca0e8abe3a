import { http, passthrough } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { readChatEvents } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { supabaseTestNetwork } from '../support/postgrest/supabase-network';

/**
 * Issue 10, finding 2, end to end in Supabase mode: the real handler on the Supabase adapter,
 * the fake project's PostgREST over the migrated schema, and a loopback OpenAI. The attacker's
 * forged row is refused at PostgREST; the turn's own rows are written by the server, for the user
 * Supabase Auth verified, with counts the server made.
 */

const PROJECT_URL = 'https://turn.supabase.test';

/** A WebSocket that must never be opened: the chat store has no use for Realtime. */
const server = supabaseTestNetwork();

describe.each(databaseKinds())('a chat turn in Supabase mode on %s', (kind) => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let openai: FakeProviderServer;
  let handler: ChatHandler;
  let mallory: string;
  let session: { accessToken: string; cookie: string };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    openai = await startFakeOpenAI();
    // The provider is a real loopback server: let its traffic through, refuse anything else unplanned.
    server.use(...project.handlers, http.all(`${openai.url}/*`, () => passthrough()));
    handler = createChatHandler({
      store: createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey }),
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
      models: { openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o'] } },
      limits: { maxTokensPerDay: 20_000 },
    });
    mallory = await db.createUser('mallory@example.test');
    session = project.signIn(mallory);
  });
  afterAll(async () => {
    server.resetHandlers();
    await openai?.close();
    await db?.close();
  });

  it("stores the server's own token counts, written by the server for the verified user, and refuses the user's forged row", async () => {
    openai.script({ text: 'Noted.', usage: { promptTokens: 9_000, completionTokens: 2 } });
    const message = 'word '.repeat(6_000).trim();
    const response = await handler.chat(
      new Request('http://localhost/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: session.cookie },
        body: JSON.stringify({ message }),
      }),
    );
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const start = events[0] as Extract<ChatEvent, { type: 'start' }>;
    expect(events.at(-1)).toMatchObject({ type: 'finish' });

    // The attacker's move: a 40,001-character question stored as 1 token, straight at PostgREST.
    const forged = await fetch(`${PROJECT_URL}/rest/v1/ai_chat_messages`, {
      method: 'POST',
      headers: { apikey: project.anonKey, authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conversation_id: start.conversationId, parent_id: start.assistantMessageId, role: 'user', content: 'x'.repeat(40_001), tokens: 1 }),
    });
    expect(forged.status).toBe(403);

    const rows = (await db.admin('select role, tokens, char_length(content) as chars from public.ai_chat_messages where conversation_id = $1 order by created_at', [
      start.conversationId,
    ])) as { role: string; tokens: number; chars: number }[];
    expect(rows.map((row) => row.role)).toEqual(['user', 'assistant']);
    // About one token per word: the server counted the text, nobody told it a number.
    expect(rows[0]!.tokens).toBeGreaterThan(5_000);

    const writes = project.requests.filter((entry) => /ai_chat_(create_conversation|append_message)$/.test(entry.path));
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (const write of writes) {
      expect(write.authorization).toBe(`Bearer ${project.serviceRoleKey}`);
      expect((write.body as { p_user_id: string }).p_user_id).toBe(mallory);
    }
  });
});
