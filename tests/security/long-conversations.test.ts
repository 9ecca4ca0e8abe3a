import { http, passthrough } from 'msw';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { conversationDetail } from '@/features/ai-chat/server/http/conversation-detail';
import { conversationExportSchema } from '@/features/ai-chat/protocol/export';
import { conversationDetailSchema } from '@/features/ai-chat/protocol/rest';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { createSupabaseChatStore } from '@/features/ai-chat/store/supabase/supabase-chat-store';
import { png } from '../support/attachment-fixtures';
import { OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { createFakeSupabaseProject, type FakeSupabaseProject } from '../support/postgrest/fake-supabase-project';
import { readSchemaCatalog } from '../support/postgrest/schema-catalog';
import { readChatEvents } from '../support/sse';
import { seedBranchedConversation } from '../support/postgrest/walk-every-method';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { supabaseTestNetwork } from '../support/postgrest/supabase-network';

/**
 * Issue 19, finding 9: hosted PostgREST answers at most 1,000 rows a request (`max-rows`), and an
 * import may hold 5,000 messages. A conversation of 2,500 messages must open whole (its shown
 * branch, the `< n/m >` of every message on it) and export whole, on Supabase and on the SQL
 * stores, whose siblings come from SQL rather than from every message of every branch.
 */

const PROJECT_URL = 'https://long.supabase.test';
const CHAIN = 1_500;
const ALTERNATES = 1_000;

interface LongConversation {
  conversationId: string;
  /** The shown branch, root first. */
  chain: string[];
  /** alternates[p]: a second version of chain[p] (same parent), older than it when p is even. */
  alternates: string[];
}

/**
 * 2,500 messages in one statement: a chain of 1,500 (the shown branch) and, for each of its first
 * 1,000 messages, another version under the same parent (a second root for the first).
 */
async function seedLongConversation(db: TestDatabase, userId: string): Promise<LongConversation> {
  const [conversation] = (await db.admin(
    `insert into public.ai_chat_conversations (user_id, title, provider, model) values ($1, 'Long', 'openai', 'gpt-4o') returning id`,
    [userId],
  )) as [{ id: string }];
  const rows = (await db.admin(
    `with chain as materialized (
       select i, gen_random_uuid() as id from generate_series(0, ${CHAIN - 1}) i
     ), alternate as materialized (
       select p, gen_random_uuid() as id from generate_series(0, ${ALTERNATES - 1}) p
     ), base as (select now() - interval '1 day' as t)
     insert into public.ai_chat_messages (id, conversation_id, parent_id, role, content, created_at)
     select c.id, $1::uuid, up.id, case when c.i % 2 = 0 then 'user' else 'assistant' end, 'message ' || c.i,
            base.t + c.i * interval '2 milliseconds'
       from chain c cross join base left join chain up on up.i = c.i - 1
     union all
     select a.id, $1::uuid, up.id, case when a.p % 2 = 0 then 'user' else 'assistant' end, 'version 2 of ' || a.p,
            base.t + a.p * interval '2 milliseconds' + case when a.p % 2 = 0 then interval '-1 millisecond' else interval '1 millisecond' end
       from alternate a cross join base left join chain up on up.i = a.p - 1
     returning id, content`,
    [conversation.id],
  )) as { id: string; content: string }[];
  const chain: string[] = [];
  const alternates: string[] = [];
  for (const { id, content } of rows) {
    const [, version, index] = /^(message|version 2 of) (\d+)$/.exec(content)!;
    (version === 'message' ? chain : alternates)[Number(index)] = id;
  }
  await db.admin(`update public.ai_chat_conversations set active_leaf_id = $2 where id = $1`, [conversation.id, chain.at(-1)]);
  return { conversationId: conversation.id, chain, alternates };
}

/** What the picker of each message on the shown branch must list: both versions, oldest first. */
function expectedSiblings({ chain, alternates }: LongConversation): Record<string, string[]> {
  return Object.fromEntries(
    alternates.map((alternate, p) => [chain[p]!, p % 2 === 0 ? [alternate, chain[p]!] : [chain[p]!, alternate]]),
  );
}

/** A WebSocket that must never be opened: the chat store has no use for Realtime. */
const server = supabaseTestNetwork();

describe.each(databaseKinds())('a conversation of 2,500 messages on %s', (kind) => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let handler: ChatHandler;
  let openai: FakeProviderServer;
  let owner: string;
  let cookie: string;
  let long: LongConversation;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    openai = await startFakeOpenAI();
    // The provider is a real loopback server: let its traffic through, refuse anything else unplanned.
    server.resetHandlers(...project.handlers, http.all(`${openai.url}/*`, () => passthrough()));
    handler = createChatHandler({
      store: createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey }),
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url, maxRetries: 0 }) },
      models: { openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o'] } },
    });
    owner = await db.createUser('long@example.test');
    cookie = project.signIn(owner).cookie;
    long = await seedLongConversation(db, owner);
  }, 60_000);
  afterAll(async () => {
    // No checkpoint of the turn's ended run may reach a closed database.
    handler?.replies.halt();
    await openai?.close();
    await db?.close();
  });

  const get = (path: string) =>
    handler.route(new Request(`http://localhost/api/chat/conversations/${long.conversationId}${path}`, { headers: { cookie } }));

  it('opened through the Supabase store: every message of the shown branch, every sibling group, in pages of at most 1,000 rows', async () => {
    const from = project.requests.length;
    const response = await get('');
    expect(response.status).toBe(200);
    const detail = conversationDetailSchema.parse(await response.json());

    expect(detail.messages.map((message) => message.id)).toEqual(long.chain);
    expect(detail.siblings).toEqual(expectedSiblings(long));
    // The client never needs every message of every branch: no read of the messages table.
    const reads = project.requests.slice(from).filter((entry) => entry.path === '/rest/v1/ai_chat_messages');
    expect(reads).toEqual([]);
  });

  it('exported through the Supabase store: the whole tree as JSON, the whole shown branch as Markdown', async () => {
    const json = await get('/export?format=json');
    expect(json.status).toBe(200);
    const file = conversationExportSchema.parse(await json.json());
    expect(file.messages).toHaveLength(CHAIN + ALTERNATES);
    expect(new Set(file.messages.map((message) => message.id))).toEqual(new Set([...long.chain, ...long.alternates]));

    const markdown = await (await get('/export?format=markdown')).text();
    expect(markdown).toContain(`message ${CHAIN - 1}`);
    expect(markdown).not.toContain('version 2 of');
  });

  it('on the SQL store (embedded on PGlite, Postgres on the server): the branch and its siblings from SQL', async () => {
    const store = new PostgresUserStore(db.sql, owner);
    expect((await store.getActiveBranch(long.conversationId)).map((message) => message.id)).toEqual(long.chain);
    expect(await store.getBranchSiblings(long.conversationId)).toEqual(expectedSiblings(long));
    // Through the branch of another leaf: that branch's groups only.
    const otherLeaf = long.alternates[10]!;
    expect(await store.getBranchSiblings(long.conversationId, otherLeaf)).toEqual(
      Object.fromEntries(Object.entries(expectedSiblings(long)).filter(([id]) => long.chain.indexOf(id) < 10).concat([[otherLeaf, [otherLeaf, long.chain[10]!]]])),
    );

    const detail = await conversationDetail(store, long.conversationId);
    expect(detail.messages.map((message) => message.id)).toEqual(long.chain);
    expect(detail.siblings).toEqual(expectedSiblings(long));
    expect(await store.listMessages(long.conversationId)).toHaveLength(CHAIN + ALTERNATES);
  });

  it("another user gets no siblings of someone else's conversation", async () => {
    const stranger = await db.createUser();
    expect(await new PostgresUserStore(db.sql, stranger).getBranchSiblings(long.conversationId)).toEqual({});
    const session = project.signIn(stranger);
    const throughSupabase = await handler.options.store.forRequest(new Request('http://localhost/api/chat', { headers: { cookie: session.cookie } }));
    expect(await throughSupabase!.getBranchSiblings(long.conversationId, long.chain.at(-1))).toEqual({});
    const response = await handler.route(
      new Request(`http://localhost/api/chat/conversations/${long.conversationId}`, { headers: { cookie: session.cookie } }),
    );
    expect(response.status).toBe(404);
  });

  // Last: the turn adds two messages to the conversation.
  it('a turn through the Supabase store continues the shown branch from its leaf, with its newest messages as context', async () => {
    openai.script({ text: 'Noted.', usage: { promptTokens: 9_000, completionTokens: 2 } });
    const response = await handler.chat(
      new Request('http://localhost/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ conversationId: long.conversationId, message: 'And the next one?' }),
      }),
    );
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    expect(events.at(-1)).toMatchObject({ type: 'finish' });

    const [question] = (await db.admin(`select parent_id from public.ai_chat_messages where conversation_id = $1 and content = 'And the next one?'`, [
      long.conversationId,
    ])) as { parent_id: string }[];
    expect(question?.parent_id).toBe(long.chain.at(-1));
    const sent = JSON.stringify(openai.requests.at(-1)?.body.messages);
    expect(sent).toContain(`message ${CHAIN - 1}`);
  });
});

describe('the test PostgREST behaves as the hosted one', () => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let owner: string;
  let long: LongConversation;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin) });
    server.resetHandlers(...project.handlers);
    owner = await db.createUser();
    long = await seedLongConversation(db, owner);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const client = (key: string, accessToken = key) =>
    createClient(PROJECT_URL, key, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { authorization: `Bearer ${accessToken}` } },
    });

  it('answers a read with at most 1,000 rows, whatever it asks for, and pages past them with range', async () => {
    const user = client(project.anonKey, project.signIn(owner).accessToken);
    const all = await user.from('ai_chat_messages').select('id').eq('conversation_id', long.conversationId);
    expect(all.data).toHaveLength(1_000);
    const asked = await user.from('ai_chat_messages').select('id').eq('conversation_id', long.conversationId).limit(5_000);
    expect(asked.data).toHaveLength(1_000);
    const third = await user.from('ai_chat_messages').select('id').eq('conversation_id', long.conversationId).order('id').range(2_000, 2_999);
    expect(third.data).toHaveLength(500);
    const branch = await user.rpc('ai_chat_branch', { p_conversation_id: long.conversationId });
    expect(branch.data).toHaveLength(1_000);
  });

  it('runs a GET in a READ ONLY transaction: a function that writes, called with GET, fails as on Supabase', async () => {
    const service = client(project.serviceRoleKey);
    const args = { p_user_id: owner, p_conversation_id: long.conversationId, p_parent_id: long.chain.at(-1), p_role: 'user', p_content: 'hi' };
    const viaGet = await service.rpc('ai_chat_append_message', args, { get: true });
    expect(viaGet.error).toMatchObject({ code: '25006' });
    expect(viaGet.status).toBe(405);
    const viaPost = await service.rpc('ai_chat_append_message', args);
    expect(viaPost.error).toBeNull();
  });
});

describe('a project whose max-rows is 2: every list the Supabase store reads still comes whole', () => {
  let db: TestDatabase;
  let project: FakeSupabaseProject;
  let owner: string;
  let cookie: string;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    project = createFakeSupabaseProject({ url: PROJECT_URL, database: db, catalog: await readSchemaCatalog(db.admin), maxRows: 2 });
    server.resetHandlers(...project.handlers);
    owner = await db.createUser();
    cookie = project.signIn(owner).cookie;
  });
  afterAll(async () => {
    await db?.close();
  });

  const openStore = async () => {
    const chatStore = createSupabaseChatStore({ url: PROJECT_URL, anonKey: project.anonKey, serviceRoleKey: project.serviceRoleKey, maxRows: 2 });
    const store = await chatStore.forRequest(new Request('http://localhost/api/chat', { headers: { cookie } }));
    if (!store) throw new Error('not signed in');
    return store;
  };

  it('messages, the branch, its siblings and the summaries, in pages of 2', async () => {
    const store = await openStore();
    const { conversationId, root, first, second } = await seedBranchedConversation(db, owner);
    const third = (await store.appendMessage({ conversationId, parentId: root, role: 'assistant', content: 'A burrito.' })).id;
    const followUp = (await store.appendMessage({ conversationId, parentId: third, role: 'user', content: 'Go on.' })).id;

    expect((await store.listMessages(conversationId)).map((message) => message.id)).toEqual([root, first, second, third, followUp]);
    expect((await store.getActiveBranch(conversationId)).map((message) => message.id)).toEqual([root, third, followUp]);
    expect(await store.getBranchSiblings(conversationId)).toEqual({ [third]: [first, second, third] });

    // Three summaries of this conversation; the one on the branch sorts last by id or not, it is found.
    for (const through of [first, second, followUp]) await store.saveSummary(conversationId, { summary: `through ${through}`, throughMessageId: through });
    expect(await store.getBranchSummary(conversationId, [root, third, followUp])).toEqual({ summary: `through ${followUp}`, throughMessageId: followUp });
  });

  it("deleting a conversation deletes every one of its files' bytes", async () => {
    const store = await openStore();
    const { conversationId, root } = await seedBranchedConversation(db, owner);
    const files = [];
    for (let i = 0; i < 5; i++) files.push(await store.attachments.create({ mediaType: 'image/png', name: `${i}.png`, data: png(2, 2), width: 2, height: 2 }));
    await store.attachments.attach(
      files.map((file) => file.id),
      { conversationId, messageId: root },
    );
    const objects = async () => (await db.admin(`select name from storage.objects where name like $1`, [`${owner}/%`])).length;
    expect(await objects()).toBe(5);

    expect(await store.deleteConversation(conversationId)).toBe(true);
    expect(await objects()).toBe(0);
  });
});
