import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import { CONTINUE_INSTRUCTION } from '@/features/ai-chat/server/turn/continue-reply';
import { OPENAI_TEST_KEY } from '../support/chat-harness';
import { startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readChatEvents, textOf } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 20, point 8: a reply cut by its length limit or stopped has Continue, which asks the model
 * to go on and joins its words to the same reply, billed as a turn through the ledger and never
 * past a limit. On PGlite and, with TEST_DATABASE_URL, PostgreSQL 15.
 */
describe.each(databaseKinds())('Continue on %s', (kind) => {
  let db: TestDatabase;
  let openai: FakeProviderServer;
  beforeAll(async () => {
    [db, openai] = await Promise.all([openTestDatabase(kind), startFakeOpenAI()]);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), openai?.close()]);
  });

  async function setup(overrides: Partial<ChatHandlerOptions> = {}) {
    openai.reset();
    const userId = await db.createUser();
    const user = new PostgresUserStore(db.sql, userId);
    const handler = createChatHandler({
      store: { forRequest: async () => user, replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: { openai: createOpenAIProvider({ apiKeys: [OPENAI_TEST_KEY], baseURL: openai.url }) },
      models: { openai: { defaultModel: 'gpt-4o' } },
      ...overrides,
    });
    const post = (body: unknown) =>
      handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const usage = async () =>
      (await db.admin(`select prompt_tokens, completion_tokens, cost::text as cost, message_id from public.ai_chat_usage where user_id = $1 order by created_at`, [
        userId,
      ])) as { prompt_tokens: number; completion_tokens: number; cost: string; message_id: string | null }[];
    return { user, userId, post, usage };
  }
  const startOf = (events: ChatEvent[]) => events.find((event) => event.type === 'start') as Extract<ChatEvent, { type: 'start' }>;

  it('carries a reply cut by its length limit on in the same message, billed as a turn of its own', async () => {
    const { user, post, usage } = await setup();
    openai.script(
      { text: 'The three laws are: first, a robot may not', finishReason: 'length', usage: { promptTokens: 12, completionTokens: 10 } },
      { text: ' injure a human being.', usage: { promptTokens: 40, completionTokens: 6 } },
    );
    const first = await readChatEvents(await post({ message: 'The three laws of robotics?', maxTokens: 100 }));
    const { conversationId, assistantMessageId: replyId } = startOf(first);
    expect(first.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });

    const more = await readChatEvents(await post({ conversationId, continueMessageId: replyId }));
    expect(startOf(more)).toMatchObject({ continues: replyId });
    expect(textOf(more)).toBe(' injure a human being.');
    expect(more.at(-1)).toMatchObject({ type: 'finish', messageId: replyId, finishReason: 'stop' });

    // The model saw the branch through the cut reply and was asked to go on; nothing else was saved.
    const sent = openai.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
    expect(sent.at(-2)).toMatchObject({ role: 'assistant', content: 'The three laws are: first, a robot may not' });
    expect(JSON.stringify(sent.at(-1))).toContain(CONTINUE_INSTRUCTION);
    const messages = await user.listMessages(conversationId);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]).toMatchObject({
      id: replyId,
      content: 'The three laws are: first, a robot may not injure a human being.',
      status: 'complete',
      parts: [{ type: 'text', text: 'The three laws are: first, a robot may not injure a human being.' }],
    });
    expect(messages[1]!.metadata).toMatchObject({ finishReason: 'stop', continuations: 1 });

    const rows = await usage();
    expect(rows.map((row) => [row.prompt_tokens, row.completion_tokens, row.message_id])).toEqual([
      [12, 10, replyId],
      [40, 6, replyId],
    ]);
    // The reply's cost is both turns'.
    const sum = rows.reduce((total, row) => total + Number(row.cost), 0);
    expect(Number(messages[1]!.cost)).toBeCloseTo(sum, 10);
  });

  it('carries a stopped reply on, and drops its stop', async () => {
    const { user, post } = await setup();
    const conversation = await user.createConversation({ title: 'Stopped', provider: 'openai', model: 'gpt-4o' });
    const question = await user.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'Count to five' });
    const stopped = await user.appendMessage({
      conversationId: conversation.id,
      parentId: question.id,
      role: 'assistant',
      content: 'One, two',
      status: 'partial',
      provider: 'openai',
      model: 'gpt-4o',
      cost: '0.0001',
      metadata: { finishReason: 'aborted', error: { code: 'aborted', message: 'Stopped.' } },
    });
    openai.script({ text: ', three, four, five.' });
    const events = await readChatEvents(await post({ conversationId: conversation.id, continueMessageId: stopped.id }));
    expect(events.at(-1)).toMatchObject({ type: 'finish', messageId: stopped.id });
    const [, reply] = await user.getActiveBranch(conversation.id);
    expect(reply).toMatchObject({ id: stopped.id, content: 'One, two, three, four, five.', status: 'complete' });
    expect(reply!.metadata.error).toBeUndefined();
  });

  it('refuses what is not a cut reply, and another user\'s reply, writing and billing nothing', async () => {
    const { user, post, usage } = await setup();
    openai.script({ text: 'Done.' });
    const { conversationId, assistantMessageId, userMessageId } = startOf(await readChatEvents(await post({ message: 'Hi' })));
    const before = await usage();

    const complete = await post({ conversationId, continueMessageId: assistantMessageId });
    expect(complete.status).toBe(400);
    expect((await complete.json()).error).toMatchObject({ code: 'bad_request', field: 'continueMessageId' });
    expect((await post({ conversationId, continueMessageId: userMessageId })).status).toBe(400);
    expect((await post({ conversationId, continueMessageId: crypto.randomUUID() })).status).toBe(404);
    expect((await post({ continueMessageId: assistantMessageId })).status).toBe(400);
    expect((await post({ conversationId, continueMessageId: assistantMessageId, message: 'and' })).status).toBe(400);

    const stranger = await setup();
    const theirs = await stranger.post({ conversationId, continueMessageId: assistantMessageId });
    expect(theirs.status).toBe(404);
    expect(await usage()).toEqual(before);
    expect((await user.listMessages(conversationId)).map((m) => m.content)).toEqual(['Hi', 'Done.']);
  });

  it('never passes the daily limit: refused when too little is left, the reply unchanged', async () => {
    const { user, post, usage } = await setup({ limits: { maxTokensPerDay: 300 } });
    openai.script({ text: 'Part one', finishReason: 'length', usage: { promptTokens: 20, completionTokens: 250 } });
    const { conversationId, assistantMessageId } = startOf(await readChatEvents(await post({ message: 'Write a lot', maxTokens: 256 })));

    const refused = await post({ conversationId, continueMessageId: assistantMessageId, maxTokens: 256 });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatchObject({ code: 'usage_limit' });
    const rows = await usage();
    expect(rows.reduce((total, row) => total + row.prompt_tokens + row.completion_tokens, 0)).toBeLessThanOrEqual(300);
    expect((await user.listMessages(conversationId)).at(-1)).toMatchObject({ content: 'Part one' });
  });
});
