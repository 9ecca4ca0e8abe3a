import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchTerms } from '@/features/ai-chat/protocol/search';
import type { ChatStore, UserChatStore } from '@/features/ai-chat/store/chat-store';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { postgrestCall } from '../support/postgrest/postgrest-call';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Search, share links and feedback as an attacker plays them in Supabase mode: straight at
 * PostgREST with the anon key alone and with their own JWT. Anon reaches a share's snapshot only
 * through ai_chat_share_read, one id at a time; a user reaches nothing of anyone else's. The
 * Supabase store's own methods run here too (the third store, beside PGlite and PostgreSQL).
 */

const PROJECT_URL = 'https://share-search.supabase.test';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describe.each(databaseKinds())('share links, search and feedback through PostgREST on %s', (kind) => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let chatStore: ChatStore;
  let alice: UserChatStore;
  let mallory: UserChatStore;
  let malloryToken: string;
  let aliceConversation: string;
  let aliceReply: string;
  let shareId: string;

  /** A PostgREST call with the anon key and, unless `token` is null, a user's JWT. */
  const rest = (method: string, path: string, body?: unknown, token: string | null = malloryToken) => postgrestCall(project, method, path, body, token);
  const userStore = async (userId: string) => {
    const { cookie } = project.signIn(userId);
    return (await chatStore.forRequest(new Request('http://localhost/api/chat', { headers: { cookie } })))!;
  };
  const count = async (table: string) => ((await db.admin(`select count(*)::int as n from public.${table}`))[0] as { n: number }).n;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    server.use(...project.handlers);
    chatStore = createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey });
    const aliceId = await db.createUser();
    const malloryId = await db.createUser();
    malloryToken = project.signIn(malloryId).accessToken;
    alice = await userStore(aliceId);
    mallory = await userStore(malloryId);

    const conversation = await alice.createConversation({ title: 'Quarterly numbers', provider: 'openai', model: 'gpt-4o' });
    aliceConversation = conversation.id;
    const question = await alice.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Our revenue was confidential-figure-42' });
    aliceReply = (await alice.appendMessage({ conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Noted: bluebird margin.', model: 'gpt-4o', cost: '0.5' })).id;
    await alice.appendMessage({ conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Shown: sparrow margin.' });
    const other = await alice.createConversation({ title: 'Unshared diary', provider: 'openai', model: 'gpt-4o' });
    await alice.appendMessage({ conversationId: other.id, parentId: null, role: 'user', content: 'diary entry never shared' });
    shareId = (await alice.createShare(conversation.id))!.id;
    await alice.setFeedback(aliceReply, 'up', 'private note');
  });
  afterAll(async () => {
    server.resetHandlers();
    await db?.close();
  });

  it('the Supabase store searches, shares, reads a link as anon and keeps feedback, as the other stores do', async () => {
    const hits = await alice.search(searchTerms('bluebi'));
    expect(hits.map((hit) => hit.messageId)).toEqual([aliceReply]);
    expect(await mallory.search(searchTerms('bluebird'))).toEqual([]);
    expect(await alice.getShare(aliceConversation)).toMatchObject({ id: shareId, showModels: false });
    const shared = await chatStore.shares!.read(shareId);
    expect(shared!.messages.map((message) => message.content)).toEqual(['Our revenue was confidential-figure-42', 'Shown: sparrow margin.']);
    expect(await chatStore.shares!.read('A'.repeat(43))).toBeNull();
    expect(await mallory.getShare(aliceConversation)).toBeNull();
    expect(await mallory.createShare(aliceConversation)).toBeNull();
    expect(await mallory.revokeShare(aliceConversation)).toBe(false);
    expect(await mallory.setFeedback(aliceReply, 'down')).toBeNull();
    expect(await alice.listFeedback(aliceConversation)).toMatchObject([{ messageId: aliceReply, rating: 'up', comment: 'private note' }]);
    expect(await mallory.listFeedback(aliceConversation)).toEqual([]);
  });

  it('the anon key alone reads no table of the module, and no function but the share reader', async () => {
    for (const table of ['ai_chat_shares', 'ai_chat_feedback', 'ai_chat_message_words', 'ai_chat_messages', 'ai_chat_conversations']) {
      const read = await rest('GET', `${table}?select=*`, undefined, null);
      expect(read.status, table).toBe(401);
    }
    for (const [name, args] of [
      ['ai_chat_search', { p_terms: ['bluebird'], p_limit: 20 }],
      ['ai_chat_share_create', { p_user_id: alice.userId, p_conversation_id: aliceConversation }],
      ['ai_chat_set_feedback', { p_message_id: aliceReply, p_rating: 'down' }],
    ] as const) {
      const response = await rest('POST', `rpc/${name}`, args, null);
      expect(response.ok, name).toBe(false);
    }
    expect((await rest('POST', 'ai_chat_shares', { id: 'B'.repeat(43), conversation_id: aliceConversation, user_id: alice.userId, title: 'x', messages: [] }, null)).status).toBe(401);
  });

  it('the share reader answers only the snapshot under the exact id: nothing of other chats, nothing unshared', async () => {
    const response = await rest('POST', 'rpc/ai_chat_share_read', { p_share_id: shareId }, null);
    expect(response.status).toBe(200);
    const rows = (await response.json()) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual(['created_at', 'messages', 'show_files', 'show_models', 'title']);
    const text = JSON.stringify(rows);
    for (const secret of ['diary', 'bluebird', 'private note', aliceConversation, aliceReply, alice.userId, '"model":"gpt-4o"', '"cost":"']) {
      expect(text, secret).not.toContain(secret);
    }
    for (const guess of ['A'.repeat(43), `${shareId.slice(0, 42)}_`, `${shareId}%`, "' or true --", '%', '', shareId.toLowerCase() === shareId ? 'x' : shareId.toLowerCase()]) {
      const guessed = await rest('POST', 'rpc/ai_chat_share_read', { p_share_id: guess }, null);
      expect(guessed.status, guess).toBe(200);
      expect(await guessed.json(), guess).toEqual([]);
    }
  });

  it("another user's JWT reaches none of Alice's shares, feedback or words, by table or function", async () => {
    expect(await (await rest('GET', 'ai_chat_shares?select=*')).json()).toEqual([]);
    expect(await (await rest('GET', `ai_chat_feedback?message_id=eq.${aliceReply}`)).json()).toEqual([]);
    expect(await (await rest('GET', 'ai_chat_message_words?select=message_id')).json()).toEqual([]);
    expect((await rest('POST', 'ai_chat_message_words', { message_id: aliceReply, conversation_id: aliceConversation, user_id: mallory.userId, created_at: new Date().toISOString(), words: 'confidential' })).status).toBe(403);
    expect(await (await rest('POST', 'rpc/ai_chat_search', { p_terms: ['confidential'], p_limit: 50 })).json()).toEqual([]);
    expect(await (await rest('POST', 'rpc/ai_chat_search', { p_terms: ["' | 'confidential"], p_limit: 50 })).json()).toEqual([]);

    const shares = await count('ai_chat_shares');
    expect(await (await rest('DELETE', `ai_chat_shares?conversation_id=eq.${aliceConversation}`)).json()).toEqual([]);
    expect((await rest('POST', 'ai_chat_shares', { id: 'C'.repeat(43), conversation_id: aliceConversation, user_id: mallory.userId, title: 'x', messages: [] })).status).toBe(403);
    expect((await rest('PATCH', `ai_chat_shares?id=eq.${shareId}`, { messages: [{ role: 'user', content: 'forged' }] })).status).toBe(403);
    expect((await rest('POST', 'rpc/ai_chat_share_create', { p_user_id: mallory.userId, p_conversation_id: aliceConversation })).status).toBe(403);
    expect(await count('ai_chat_shares')).toBe(shares);

    // Feedback straight into the table: on Alice's reply, as Alice, or as herself.
    for (const row of [
      { message_id: aliceReply, conversation_id: aliceConversation, user_id: mallory.userId, rating: 'down' },
      { message_id: aliceReply, conversation_id: aliceConversation, user_id: alice.userId, rating: 'down' },
    ]) {
      const inserted = await rest('POST', 'ai_chat_feedback', row);
      expect(inserted.ok, JSON.stringify(row)).toBe(false);
    }
    // No user writes the table directly (the function is the only way), their own rows included.
    expect((await rest('PATCH', `ai_chat_feedback?message_id=eq.${aliceReply}`, { rating: 'down' })).status).toBe(403);
    expect(await (await rest('DELETE', `ai_chat_feedback?message_id=eq.${aliceReply}`)).json()).toEqual([]);
    expect(await (await rest('POST', 'rpc/ai_chat_set_feedback', { p_message_id: aliceReply, p_rating: 'down' })).json()).toEqual([]);
    expect(await db.admin('select rating, comment from public.ai_chat_feedback')).toEqual([{ rating: 'up', comment: 'private note' }]);
  });
});
