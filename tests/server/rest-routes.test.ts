import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import {
  chatConfigSchema,
  conversationDetailSchema,
  conversationListSchema,
  usageResponseSchema,
} from '@/features/ai-chat/protocol/rest';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';

describe('the REST routes under /api/chat', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness({ limits: { maxTokensPerDay: 10_000, maxCostPerMonth: 5 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function chat(body: Record<string, unknown>): Promise<Extract<ChatEvent, { type: 'start' }>> {
    const events = await readChatEvents(await h.post(body));
    return events[0] as Extract<ChatEvent, { type: 'start' }>;
  }

  it('lists my conversations, newest first, and pages with before', async () => {
    const created = [];
    for (const title of ['one', 'two', 'three']) {
      const response = await h.call('POST', '/conversations', { title });
      expect(response.status).toBe(201);
      created.push((await response.json()).conversation.id as string);
    }
    const { conversations } = conversationListSchema.parse(await (await h.call('GET', '/conversations')).json());
    expect(conversations.slice(0, 3).map((c) => c.title)).toEqual(['three', 'two', 'one']);
    const page = conversationListSchema.parse(
      await (await h.call('GET', `/conversations?before=${encodeURIComponent(conversations[0]!.lastMessageAt!)}&limit=1`)).json(),
    );
    expect(page.conversations.map((c) => c.title)).toEqual(['two']);
  });

  it('renaming a chat does not move it in the list; a new message moves it to the top', async () => {
    h.openai.script({ text: 'Older reply.' }, { text: 'Newer reply.' }, { text: 'Back again.' });
    const older = await chat({ message: 'The **older** chat' });
    const newer = await chat({ message: 'The newer chat' });
    const order = async () =>
      conversationListSchema
        .parse(await (await h.call('GET', '/conversations')).json())
        .conversations.map((c) => c.id)
        .filter((id) => id === older.conversationId || id === newer.conversationId);
    expect(await order()).toEqual([newer.conversationId, older.conversationId]);

    const renamed = await h.call('PATCH', `/conversations/${older.conversationId}`, { title: 'Renamed older chat' });
    expect(renamed.status).toBe(200);
    expect(await order()).toEqual([newer.conversationId, older.conversationId]);

    await chat({ conversationId: older.conversationId, message: 'One more thing' });
    expect(await order()).toEqual([older.conversationId, newer.conversationId]);
    // The title made from the first message is its words, not its markdown.
    const titles = conversationListSchema.parse(await (await h.call('GET', '/conversations')).json()).conversations.map((c) => c.title);
    expect(titles).toContain('The newer chat');
  });

  it('reads a conversation with its active branch, each message with status, tokens and cost', async () => {
    h.openai.script({ text: 'Hi!', usage: { promptTokens: 10, completionTokens: 2 } });
    const start = await chat({ message: 'Hello' });
    const detail = conversationDetailSchema.parse(await (await h.call('GET', `/conversations/${start.conversationId}`)).json());
    expect(detail.conversation.title).toBe('Hello');
    expect(detail.messages).toMatchObject([
      { role: 'user', content: 'Hello', status: 'complete' },
      { role: 'assistant', content: 'Hi!', status: 'complete', cost: '0.000045' },
    ]);
    expect(detail.messages[0]!.tokens).toBeGreaterThan(0);
    expect(detail.siblings).toEqual({});
  });

  it('renames, sets the system prompt, and flips between branches with PATCH', async () => {
    h.openai.script({ text: 'Red.' }, { text: 'Blue.' });
    const start = await chat({ message: 'A colour?' });
    await chat({ conversationId: start.conversationId, parentMessageId: start.userMessageId });

    const renamed = await h.call('PATCH', `/conversations/${start.conversationId}`, { title: 'Colours', systemPrompt: 'Answer in one word.' });
    expect(renamed.status).toBe(200);
    expect(conversationDetailSchema.parse(await renamed.json()).conversation).toMatchObject({ title: 'Colours', systemPrompt: 'Answer in one word.' });

    const flipped = await h.call('PATCH', `/conversations/${start.conversationId}`, { activeMessageId: start.assistantMessageId });
    const detail = conversationDetailSchema.parse(await flipped.json());
    expect(detail.messages.map((m) => m.content)).toEqual(['A colour?', 'Red.']);
    expect(detail.siblings[start.assistantMessageId]).toHaveLength(2);
  });

  it('deletes a conversation and then answers 404 for it', async () => {
    const { conversation } = await (await h.call('POST', '/conversations', {})).json();
    expect((await h.call('DELETE', `/conversations/${conversation.id}`)).status).toBe(204);
    expect((await h.call('GET', `/conversations/${conversation.id}`)).status).toBe(404);
    expect((await h.call('DELETE', `/conversations/${conversation.id}`)).status).toBe(404);
  });

  it("answers 404 for another user's conversation on every verb, and changes nothing", async () => {
    const stranger = await h.store.forUser(crypto.randomUUID());
    const theirs = await stranger.createConversation({ title: 'Private', provider: 'openai', model: 'gpt-4o' });
    expect((await h.call('GET', `/conversations/${theirs.id}`)).status).toBe(404);
    expect((await h.call('PATCH', `/conversations/${theirs.id}`, { title: 'Mine now' })).status).toBe(404);
    expect((await h.call('DELETE', `/conversations/${theirs.id}`)).status).toBe(404);
    expect((await stranger.getConversation(theirs.id))?.title).toBe('Private');
    const { conversations } = conversationListSchema.parse(await (await h.call('GET', '/conversations')).json());
    expect(conversations.map((c) => c.id)).not.toContain(theirs.id);
  });

  it('reports usage today and this month against the limits', async () => {
    const usage = usageResponseSchema.parse(await (await h.call('GET', '/usage')).json());
    expect(usage.usage.tokensToday).toBeGreaterThan(0);
    expect(usage.limits).toEqual({ maxTokensPerDay: 10_000, maxCostPerMonth: '5', maxRequestsPerMinute: null });
    expect(usage.remaining.tokensToday).toBe(10_000 - usage.usage.tokensToday);
  });

  it('tells a client which providers and models it may pick', async () => {
    const config = chatConfigSchema.parse(await (await h.call('GET', '/config')).json());
    expect(config.providers.map((p) => [p.name, p.configured, p.models[0]])).toEqual([
      ['openai', true, 'gpt-4o'],
      ['anthropic', true, 'claude-sonnet-4-5'],
    ]);
    expect(config.maxMessageChars).toBe(32_000);
    // No tools on this handler: the UI shows no Tools control.
    expect(config.tools).toBe(false);
  });

  it('pins a chat to the top, archives one out of the list into the Archived view, and restores it', async () => {
    const ids: string[] = [];
    for (const title of ['old', 'middle', 'new']) ids.push((await (await h.call('POST', '/conversations', { title })).json()).conversation.id);
    const [old, middle] = ids as [string, string];
    const list = async (query = '') => conversationListSchema.parse(await (await h.call('GET', `/conversations${query}`)).json()).conversations;

    const pinned = conversationDetailSchema.parse(await (await h.call('PATCH', `/conversations/${old}`, { pinned: true })).json());
    expect(pinned.conversation.pinnedAt).toEqual(expect.any(String));
    expect((await list()).slice(0, 2).map((c) => c.title)).toEqual(['old', 'new']);
    expect((await h.call('PATCH', `/conversations/${middle}`, { archived: true })).status).toBe(200);
    expect((await list()).map((c) => c.id)).not.toContain(middle);
    expect((await list('?archived=true')).map((c) => c.title)).toEqual(['middle']);

    await h.call('PATCH', `/conversations/${middle}`, { archived: false });
    await h.call('PATCH', `/conversations/${old}`, { pinned: false });
    expect((await list()).slice(0, 3).map((c) => c.title)).toEqual(['new', 'middle', 'old']);
    expect(await list('?archived=true')).toEqual([]);
  });

  it("cannot pin or archive another user's chat: 404, unchanged", async () => {
    const stranger = await h.store.forUser(crypto.randomUUID());
    const theirs = await stranger.createConversation({ title: 'Private', provider: 'openai', model: 'gpt-4o' });
    expect((await h.call('PATCH', `/conversations/${theirs.id}`, { pinned: true })).status).toBe(404);
    expect((await h.call('PATCH', `/conversations/${theirs.id}`, { archived: true })).status).toBe(404);
    expect(await stranger.getConversation(theirs.id)).toMatchObject({ pinnedAt: null, archivedAt: null });
  });

  it('refuses bad input with a JSON 4xx', async () => {
    expect((await h.call('PATCH', `/conversations/${crypto.randomUUID()}`, { pinned: 'yes' })).status).toBe(400);
    expect((await h.call('GET', '/conversations?archived=maybe')).status).toBe(400);
    expect((await h.call('PATCH', `/conversations/${crypto.randomUUID()}`, { title: '' })).status).toBe(400);
    expect((await h.call('PATCH', `/conversations/${crypto.randomUUID()}`, { owner: 'me' })).status).toBe(400);
    expect((await h.call('POST', '/conversations', { model: 'gpt-2' })).status).toBe(400);
    expect((await h.call('GET', '/conversations?limit=-1')).status).toBe(400);
    expect((await h.call('GET', '/nowhere')).status).toBe(404);
    const wrongVerb = await h.call('PUT', '/usage');
    expect(wrongVerb.status).toBe(405);
    expect((await wrongVerb.json()).error.code).toBe('bad_request');
  });
});
