import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import type { ChatProvider } from '@/features/ai-chat/providers/types';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { cleanTitle } from '@/features/ai-chat/server/turn/model-title';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import { ANTHROPIC_TEST_KEY, OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeAnthropic, startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readChatEvents } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 20, point 1: after a new chat's first reply a cheap model of the same provider writes
 * its title, after the reply has ended, billed under the user's limits (skipped when it does not
 * fit), and never over a rename. On PGlite and, with TEST_DATABASE_URL, PostgreSQL 15.
 */
describe.each(databaseKinds())('titles written by a model on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  beforeAll(async () => {
    [db, openai, anthropic] = await Promise.all([openTestDatabase(kind), startFakeOpenAI(), startFakeAnthropic()]);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), openai?.close(), anthropic?.close()]);
  });

  /** A handler for a new user; `after` collects what it finishes after the reply (waitUntil). */
  async function setup(overrides: Partial<ChatHandlerOptions> = {}, wrap: (provider: ChatProvider) => ChatProvider = (p) => p) {
    openai.reset();
    anthropic.reset();
    const userId = await db.createUser();
    const after: Promise<unknown>[] = [];
    const handler = createChatHandler({
      store: { forRequest: async () => new PostgresUserStore(db.sql, userId), replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: {
        openai: wrap(createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url })),
        anthropic: wrap(createAnthropicProvider({ apiKeys: [ANTHROPIC_TEST_KEY], baseURL: anthropic.url })),
      },
      models: { openai: { defaultModel: 'gpt-4o' }, anthropic: { defaultModel: 'claude-sonnet-4-5' } },
      titles: {},
      waitUntil: (work) => void after.push(work),
      ...overrides,
    });
    const post = async (body: unknown) =>
      readChatEvents(
        await handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
      );
    const conversation = async (id: string) =>
      (await db.admin(`select title, title_source from public.ai_chat_conversations where id = $1`, [id]))[0] as { title: string; title_source: string };
    const usage = async () =>
      (await db.admin(`select model, prompt_tokens, completion_tokens, cost::text as cost, conversation_id from public.ai_chat_usage where user_id = $1 order by created_at`, [
        userId,
      ])) as { model: string; prompt_tokens: number; completion_tokens: number; cost: string; conversation_id: string }[];
    return { handler, userId, after, post, conversation, usage };
  }
  const startOf = (events: ChatEvent[]) => events.find((event) => event.type === 'start') as Extract<ChatEvent, { type: 'start' }>;

  it.each([
    ['openai', 'gpt-5-nano'],
    ['anthropic', 'claude-haiku-5-5'],
  ] as const)('on %s, %s titles a new chat after its first reply, billed to the user and the chat', async (provider, titleModel) => {
    const fake = provider === 'openai' ? openai : anthropic;
    const { after, post, conversation, usage } = await setup();
    fake.script({ text: 'A monad wraps a value with a context.' }, { text: '"**Monads explained.**"', usage: { promptTokens: 90, completionTokens: 4 } });

    const events = await post({ message: 'What is a monad, in one line?', provider });
    const { conversationId } = startOf(events);
    // The reply ended before the title call was made: the title never delays it.
    expect(events.at(-1)).toMatchObject({ type: 'finish' });
    expect(after).toHaveLength(2);
    await Promise.all(after);

    expect(await conversation(conversationId)).toEqual({ title: 'Monads explained', title_source: 'model' });
    const titleCall = fake.requests.at(-1)!;
    expect(titleCall.body.model).toBe(titleModel);
    expect(titleCall.body.stream ?? false).toBe(false);
    expect(JSON.stringify(titleCall.body)).toContain('What is a monad');
    const rows = await usage();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ model: titleModel, prompt_tokens: 90, completion_tokens: 4, conversation_id: conversationId });
    expect(Number(rows[1]!.cost)).toBeGreaterThan(0);
  });

  it('titles only the first reply of a chat, and nothing when titles are off', async () => {
    const { after, post, conversation } = await setup();
    openai.script({ text: 'First answer.' }, { text: 'First title' }, { text: 'Second answer.' });
    const { conversationId } = startOf(await post({ message: 'One' }));
    await Promise.all(after);
    await post({ message: 'Two', conversationId });
    await Promise.all(after);
    expect(openai.requests).toHaveLength(3);
    expect(await conversation(conversationId)).toEqual({ title: 'First title', title_source: 'model' });

    const off = await setup({ titles: false });
    openai.script({ text: 'Answer.' });
    const untitled = startOf(await off.post({ message: 'Hello there' }));
    await Promise.all(off.after);
    expect(openai.requests).toHaveLength(1);
    expect(await off.conversation(untitled.conversationId)).toEqual({ title: 'Hello there', title_source: 'first-message' });
  });

  it('bills a title in tokens and cost but never counts it as a request: the meter and the per-minute limit see the person’s turns', async () => {
    // Two new chats a minute allowed: the first chat's title must not take the second one's slot.
    const { after, post, handler } = await setup({ limits: { maxRequestsPerMinute: 2 } });
    openai.script(
      { text: 'First answer.', usage: { promptTokens: 10, completionTokens: 3 } },
      { text: 'First title', usage: { promptTokens: 40, completionTokens: 2 } },
      { text: 'Second answer.', usage: { promptTokens: 10, completionTokens: 3 } },
      { text: 'Second title', usage: { promptTokens: 40, completionTokens: 2 } },
    );
    await post({ message: 'One' });
    await Promise.all(after.splice(0));
    const second = await post({ message: 'Two' });
    expect(second.at(-1)).toMatchObject({ type: 'finish' });
    await Promise.all(after.splice(0));

    const meter = (await (await handler.route(new Request('http://localhost/api/chat/usage'))).json()) as {
      usage: { requestsThisMonth: number; tokensToday: number };
    };
    expect(meter.usage).toMatchObject({ requestsThisMonth: 2, tokensToday: 2 * (13 + 42) });
  });

  it('skips the title when it does not fit the daily limit: the first-message title stays and the limit holds', async () => {
    // The reply leaves less room than a title needs (its prompt plus its few words).
    const { after, post, conversation, usage } = await setup({ limits: { maxTokensPerDay: 130 } });
    openai.script({ text: 'Sure.', usage: { promptTokens: 20, completionTokens: 100 } }, { text: 'Never asked for' });
    const { conversationId } = startOf(await post({ message: 'Name this chat', maxTokens: 100 }));
    await Promise.all(after);

    expect(openai.requests).toHaveLength(1);
    expect(await conversation(conversationId)).toEqual({ title: 'Name this chat', title_source: 'first-message' });
    const rows = await usage();
    expect(rows.reduce((sum, row) => sum + row.prompt_tokens + row.completion_tokens, 0)).toBeLessThanOrEqual(130);
  });

  it('skips the title when it does not fit the monthly cost limit', async () => {
    const { after, post, conversation } = await setup({ limits: { maxCostPerMonth: '0.003' } });
    // gpt-4o ($2.50 in, $10 out a million): 20 prompt + 295 completion tokens cost $0.003, all the month allows.
    openai.script({ text: 'Sure.', usage: { promptTokens: 20, completionTokens: 295 } }, { text: 'Never asked for' });
    const { conversationId } = startOf(await post({ message: 'Price this', maxTokens: 256 }));
    await Promise.all(after);
    expect(openai.requests).toHaveLength(1);
    expect((await conversation(conversationId)).title_source).toBe('first-message');
  });

  it('never overwrites a title the person renamed while the model was writing it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let titleAsked!: () => void;
    const asked = new Promise<void>((resolve) => (titleAsked = resolve));
    // The title call waits at the gate, so the rename lands while it is in flight.
    const gated = (provider: ChatProvider): ChatProvider => ({
      name: provider.name,
      stream: (request) => provider.stream(request),
      complete: async (request) => {
        titleAsked();
        await gate;
        return provider.complete(request);
      },
    });
    const { handler, after, post, conversation, usage } = await setup({}, gated);
    openai.script({ text: 'An answer.' }, { text: 'Model title', usage: { promptTokens: 50, completionTokens: 2 } });
    const { conversationId } = startOf(await post({ message: 'Untitled question' }));
    await asked;
    const renamed = await handler.route(
      new Request(`http://localhost/api/chat/conversations/${conversationId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'My own name' }),
      }),
    );
    expect(renamed.status).toBe(200);
    release();
    await Promise.all(after);

    expect(await conversation(conversationId)).toEqual({ title: 'My own name', title_source: 'user' });
    // The call was made, so it is billed all the same.
    expect((await usage()).map((row) => row.model)).toEqual(['gpt-4o', 'gpt-5-nano']);
  });
});

describe('a title from what the model wrote', () => {
  it('keeps the words: no markdown, quotes, label or closing stop, one line, at most 80 characters', () => {
    expect(cleanTitle('**Monads explained.**')).toBe('Monads explained');
    expect(cleanTitle('"Voyage à Lisbonne"\n\nA trip.')).toBe('Voyage à Lisbonne');
    expect(cleanTitle('Title: # Rust lifetimes')).toBe('Rust lifetimes');
    expect(cleanTitle('  ')).toBeNull();
    expect([...cleanTitle('word '.repeat(40))!].length).toBeLessThanOrEqual(80);
  });
});
