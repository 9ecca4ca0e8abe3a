import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { createPostgresChatStore, type PostgresChatStore } from '@/features/ai-chat/store/postgres/postgres-chat-store';
import { databaseUserId } from '@/features/ai-chat/store/user-id';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';
import { createServerDatabase, SUPABASE_DIR } from '../support/test-databases';

/**
 * The handler's `authenticate` option: the app's own sign-in names the user (here a verified
 * session cookie, token → id, as Auth.js or Clerk would), the handler opens `store.forUser(id)`.
 */
const sessions = new Map<string, string>();
const authenticate: NonNullable<ChatHandlerOptions['authenticate']> = async (request) => {
  const token = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
  const id = token ? sessions.get(token) : undefined;
  return id ? { id, email: `${id}@example.test` } : null;
};

const ALICE = 'user_2alice0000000000000000000';
const BOB = 'user_2bob00000000000000000000000';

function routeRequest(path: string, cookie?: string): Request {
  return new Request(`http://localhost/api/chat${path}`, { headers: cookie ? { cookie } : {} });
}

type Start = Extract<ChatEvent, { type: 'start' }>;

describe('createChatHandler({ authenticate })', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    sessions.set('alice-token', ALICE);
    sessions.set('bob-token', BOB);
    h = await startChatHarness({ authenticate });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.openai.reset();
  });

  it('answers 401 unauthorized to a request nobody is signed in for, and writes nothing', async () => {
    const before = await h.counts();
    const response = await h.post({ message: 'Hello?' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const forged = await h.post({ message: 'Hello?' }, { headers: { cookie: 'session=made-up' } });
    expect(forged.status).toBe(401);
    const listing = await h.handler.route(routeRequest('/conversations'));
    expect(listing.status).toBe(401);
    expect(await h.counts()).toEqual(before);
    expect(h.openai.requests).toHaveLength(0);
  });

  it('a body field or a header cannot choose the user: the turn is the signed-in one’s', async () => {
    h.openai.script({ text: 'Hi Alice.' });
    const bobId = databaseUserId(BOB);
    const response = await h.post(
      { message: 'Whose chat is this?', userId: bobId, user_id: bobId },
      { headers: { cookie: 'session=alice-token', 'x-user-id': bobId, 'x-ai-chat-user': bobId } },
    );
    expect(response.status).toBe(200);
    const start = (await readChatEvents(response))[0] as Start;
    const [owner] = await h.sql<{ user_id: string }>('select user_id from public.ai_chat_conversations where id = $1', [start.conversationId]);
    expect(owner!.user_id).toBe(databaseUserId(ALICE));

    const bobsList = await h.handler.route(routeRequest('/conversations', 'session=bob-token'));
    const { conversations } = (await bobsList.json()) as { conversations: Array<{ id: string }> };
    expect(conversations.map((c) => c.id)).not.toContain(start.conversationId);
    const bobReads = await h.handler.route(routeRequest(`/conversations/${start.conversationId}`, 'session=bob-token'));
    expect(bobReads.status).toBe(404);
  });

  it("maps a Clerk id to the same user on every request, its own rows only", async () => {
    h.openai.script({ text: 'One.' }, { text: 'Two.' });
    const first = (await readChatEvents(await h.post({ message: 'first' }, { headers: { cookie: 'session=bob-token' } })))[0] as Start;
    const second = (await readChatEvents(await h.post({ message: 'second', conversationId: first.conversationId }, { headers: { cookie: 'session=bob-token' } })))[0] as Start;
    expect(second.conversationId).toBe(first.conversationId);
    const rows = await h.sql<{ user_id: string; messages: number }>(
      'select c.user_id, count(m.*)::int as messages from public.ai_chat_conversations c join public.ai_chat_messages m on m.conversation_id = c.id where c.id = $1 group by c.user_id',
      [first.conversationId],
    );
    expect(rows).toEqual([{ user_id: databaseUserId(BOB), messages: 4 }]);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('a chat turn on the Postgres store', () => {
  let database: { url: string; drop(): Promise<void> };
  let store: PostgresChatStore;
  let h: ChatHarness;

  beforeAll(async () => {
    sessions.set('carol-token', 'carol@example.test');
    database = await createServerDatabase({ migrated: true });
    store = createPostgresChatStore({ connectionString: database.url, supabaseDir: SUPABASE_DIR, onPoolError: () => undefined });
    h = await startChatHarness({ store, authenticate });
  });
  afterAll(async () => {
    await h?.close();
    await store?.close();
    await database?.drop();
  });

  it('streams a reply, saves both messages and settles the usage, as the signed-in user', async () => {
    h.openai.script({ text: 'Hello from Postgres.', chunks: 3, usage: { promptTokens: 12, completionTokens: 4 } });
    const response = await h.post({ message: 'Say hello' }, { headers: { cookie: 'session=carol-token' } });
    expect(response.status).toBe(200);
    const events = await readChatEvents(response);
    const start = events[0] as Start;
    expect(textOf(events)).toBe('Hello from Postgres.');
    expect(events.at(-1)).toEqual({ type: 'finish', messageId: start.assistantMessageId, finishReason: 'stop' });

    const carol = databaseUserId('carol@example.test');
    const rows = async (text: string) => (await store.pool.query(text, [start.conversationId])).rows;
    expect(await rows('select user_id from public.ai_chat_conversations where id = $1')).toEqual([{ user_id: carol }]);
    expect(await rows('select role, content, status from public.ai_chat_messages where conversation_id = $1 order by created_at')).toEqual([
      { role: 'user', content: 'Say hello', status: 'complete' },
      { role: 'assistant', content: 'Hello from Postgres.', status: 'complete' },
    ]);
    expect(await rows('select status, prompt_tokens, completion_tokens from public.ai_chat_usage where conversation_id = $1')).toEqual([
      { status: 'settled', prompt_tokens: 12, completion_tokens: 4 },
    ]);

    // The follow-up reads its history back from the same database.
    h.openai.script({ text: 'Still here.' });
    const next = await h.post({ message: 'Again', conversationId: start.conversationId }, { headers: { cookie: 'session=carol-token' } });
    expect(textOf(await readChatEvents(next))).toBe('Still here.');
    const sent = h.openai.requests.at(-1)!.body.messages as Array<{ role: string; content: unknown }>;
    expect(sent.filter((m) => m.role !== 'system').map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });
});
