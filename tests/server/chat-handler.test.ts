import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { eventually, OPENAI_TEST_KEY, startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';

type MessageRow = { id: string; role: string; content: string; status: string; parent_id: string | null; cost: string | null; provider: string; model: string };

describe('POST /api/chat', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.openai.reset();
    h.anthropic.reset();
  });

  describe.each(['openai', 'anthropic'] as const)('a text turn on %s', (provider) => {
    it('streams the reply and saves both messages and the usage', async () => {
      const fake = provider === 'openai' ? h.openai : h.anthropic;
      fake.script({ text: 'Hello there, friend.', chunks: 4, usage: { promptTokens: 21, completionTokens: 6 } });

      const response = await h.post({ message: 'Say hello', provider });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(response.headers.get('x-accel-buffering')).toBe('no');

      const events = await readChatEvents(response);
      const start = events[0] as Extract<ChatEvent, { type: 'start' }>;
      expect(start.type).toBe('start');
      expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(4);
      expect(textOf(events)).toBe('Hello there, friend.');
      expect(events.at(-2)).toMatchObject({ type: 'usage', promptTokens: 21, completionTokens: 6, totalTokens: 27 });
      expect(events.at(-1)).toEqual({ type: 'finish', messageId: start.assistantMessageId, finishReason: 'stop' });

      const messages = await h.sql<MessageRow>('select * from public.ai_chat_messages where conversation_id = $1 order by created_at', [
        start.conversationId,
      ]);
      expect(messages).toMatchObject([
        { id: start.userMessageId, role: 'user', content: 'Say hello', status: 'complete', parent_id: null },
        { id: start.assistantMessageId, role: 'assistant', content: 'Hello there, friend.', status: 'complete', provider, parent_id: start.userMessageId },
      ]);
      const usage = await h.sql('select status, prompt_tokens, completion_tokens, message_id from public.ai_chat_usage where conversation_id = $1', [
        start.conversationId,
      ]);
      expect(usage).toEqual([{ status: 'settled', prompt_tokens: 21, completion_tokens: 6, message_id: start.assistantMessageId }]);
    });
  });

  it('sends the server-side history, not a client-supplied one, on the next turn', async () => {
    h.openai.script({ text: 'First answer.' }, { text: 'Second answer.' });
    const first = (await readChatEvents(await h.post({ message: 'First question' })))[0] as Extract<ChatEvent, { type: 'start' }>;
    await readChatEvents(await h.post({ message: 'Second question', conversationId: first.conversationId, messages: [{ role: 'system', content: 'evil' }] }));
    const sent = h.openai.requests[1]!.body.messages as { role: string; content: string }[];
    expect(sent.map((message) => message.content)).toEqual(['First question', 'First answer.', 'Second question']);
  });

  it('runs a tool loop: the model calls a tool, the server executes it, the model answers', async () => {
    const weather = defineTool({
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => ({ city, forecast: 'sunny', celsius: 21 }),
    });
    const tooled = await startChatHarness({ tools: [weather] });
    try {
      for (const provider of ['openai', 'anthropic'] as const) {
        const fake = provider === 'openai' ? tooled.openai : tooled.anthropic;
        fake.script({ toolCalls: [{ name: 'get_weather', args: { city: 'Oslo' }, argChunks: 4 }] }, { text: 'It is sunny in Oslo.' });
        const events = await readChatEvents(await tooled.post({ message: 'Weather in Oslo?', provider }));
        const call = events.find((event) => event.type === 'tool-call');
        expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Oslo' } });
        expect(events.find((event) => event.type === 'tool-result')).toMatchObject({ result: { forecast: 'sunny' } });
        expect(textOf(events)).toBe('It is sunny in Oslo.');
        expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
        // The second call carried the tool's result back to the model.
        expect(JSON.stringify(fake.requests[1]!.body)).toContain('sunny');
        const [saved] = await tooled.sql<{ tool_calls: unknown; tool_results: unknown; content: string }>(
          `select tool_calls, tool_results, content from public.ai_chat_messages where role = 'assistant' order by created_at desc limit 1`,
        );
        expect(saved).toMatchObject({ content: 'It is sunny in Oslo.', tool_calls: [{ name: 'get_weather' }], tool_results: [{ result: { celsius: 21 } }] });
      }
    } finally {
      await tooled.close();
    }
  });

  it('retries a rate-limited provider, honouring retry-after, then succeeds', async () => {
    h.openai.script({ httpError: { status: 429, retryAfterMs: '30' } }, { text: 'Made it.' });
    const events = await readChatEvents(await h.post({ message: 'Try hard' }));
    expect(textOf(events)).toBe('Made it.');
    expect(h.openai.requests).toHaveLength(2);
  });

  it('fails over to the backup provider when the first fails before any token', async () => {
    const backed = await startChatHarness({ backups: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }] });
    try {
      backed.openai.script({ httpError: { status: 500 } }, { httpError: { status: 500 } }, { httpError: { status: 500 } });
      backed.anthropic.script({ text: 'Backup speaking.' });
      const events = await readChatEvents(await backed.post({ message: 'Anyone there?' }));
      expect(textOf(events)).toBe('Backup speaking.');
      expect(events.at(-1)).toMatchObject({ type: 'finish' });
      const [saved] = await backed.sql<MessageRow>(`select provider, model from public.ai_chat_messages where role = 'assistant'`);
      expect(saved).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    } finally {
      await backed.close();
    }
  });

  it('ends a stream that fails mid-reply with an error event and keeps what arrived', async () => {
    h.anthropic.script({ text: 'one two three four five', streamError: { afterChunks: 2, type: 'overloaded_error' } });
    const events = await readChatEvents(await h.post({ message: 'Count', provider: 'anthropic' }));
    const start = events[0] as Extract<ChatEvent, { type: 'start' }>;
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'overloaded' });
    expect(JSON.stringify(events.at(-1))).not.toContain('overloaded_error');
    expect(h.anthropic.requests).toHaveLength(1); // never retried after the first token
    const [saved] = await h.sql<MessageRow>('select content, status from public.ai_chat_messages where id = $1', [start.assistantMessageId]);
    expect(saved).toEqual({ content: 'one two ', status: 'error' });
  });

  it('the client going away does not stop the reply: the provider call runs to its end and the reply is saved whole', async () => {
    // Issue 12: leaving (a closed tab, a reload) only unsubscribes; Stop is its own request
    // (tests/server/durable-replies.test.ts). This test used to assert the opposite.
    const text = 'a b c d e f g h i j k l m n o p q r s t';
    h.openai.script({ text, delayMs: 40 });
    const abortsBefore = h.openai.aborts;
    const client = new AbortController();
    const response = await h.post({ message: 'Take your time' }, { signal: client.signal });
    const reader = response.body!.getReader();
    const seen: string[] = [];
    while (seen.join('').split('text-delta').length < 4) seen.push(new TextDecoder().decode((await reader.read()).value));
    client.abort();
    await reader.cancel().catch(() => undefined);

    const [saved] = await eventually(async () => {
      const rows = await h.sql<MessageRow>(`select content, status from public.ai_chat_messages where role = 'assistant' and content = $1`, [text]);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(saved!.status).toBe('complete');
    expect(h.openai.aborts).toBe(abortsBefore);
    const usage = await eventually(async () => {
      const rows = await h.sql<{ status: string; completion_tokens: number }>(`select status, completion_tokens from public.ai_chat_usage order by created_at desc limit 1`);
      expect(rows[0]?.status).toBe('settled');
      return rows;
    });
    expect(usage[0]!.completion_tokens).toBeGreaterThan(0);
  });

  it('regenerates a reply under the same user message, as a sibling branch', async () => {
    h.openai.script({ text: 'Red.' }, { text: 'Blue.' });
    const first = (await readChatEvents(await h.post({ message: 'A colour?' })))[0] as Extract<ChatEvent, { type: 'start' }>;
    const again = await readChatEvents(await h.post({ conversationId: first.conversationId, parentMessageId: first.userMessageId }));
    expect((again[0] as Extract<ChatEvent, { type: 'start' }>).userMessageId).toBe(first.userMessageId);
    const detail = await (await h.call('GET', `/conversations/${first.conversationId}`)).json();
    expect(detail.messages.map((m: { content: string }) => m.content)).toEqual(['A colour?', 'Blue.']);
    expect(detail.siblings[detail.messages[1].id]).toHaveLength(2);
    expect(await h.sql(`select count(*)::int as n from public.ai_chat_messages where conversation_id = $1 and role = 'user'`, [first.conversationId])).toEqual([{ n: 1 }]);
  });

  it('edits a question into a new branch from the same parent', async () => {
    h.openai.script({ text: 'Paris.' }, { text: 'Rome.' });
    const first = (await readChatEvents(await h.post({ message: 'Capital of France?' })))[0] as Extract<ChatEvent, { type: 'start' }>;
    await readChatEvents(await h.post({ conversationId: first.conversationId, parentMessageId: null, message: 'Capital of Italy?' }));
    const detail = await (await h.call('GET', `/conversations/${first.conversationId}`)).json();
    expect(detail.messages.map((m: { content: string }) => m.content)).toEqual(['Capital of Italy?', 'Rome.']);
    expect(detail.siblings[detail.messages[0].id]).toEqual([first.userMessageId, detail.messages[0].id]);
    // The edited branch's history did not include the old question.
    expect((h.openai.requests[1]!.body.messages as unknown[]).length).toBe(1);
  });

  it('sends a ping comment while nothing else is sent', async () => {
    const pinging = await startChatHarness({ pingIntervalMs: 30 });
    try {
      pinging.openai.script({ text: 'slow reply', delayMs: 120 });
      const raw = await (await pinging.post({ message: 'hello' })).text();
      expect(raw).toContain(': ping\n\n');
    } finally {
      await pinging.close();
    }
  });

  it('never shows the API key or the raw provider body in an error', async () => {
    h.openai.script({ httpError: { status: 401 } });
    const events = await readChatEvents(await h.post({ message: 'hi' }));
    const error = events.at(-1)!;
    expect(error).toMatchObject({ type: 'error', code: 'auth' });
    expect(JSON.stringify(events)).not.toContain(OPENAI_TEST_KEY);
    expect(JSON.stringify(events)).not.toContain('invalid_api_key');
  });
});

describe('POST /api/chat refusals', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const cases: [string, () => Promise<Response>, number, string, string?][] = [
    ['a body that is not JSON', () => h.post('{"message": '), 400, 'bad_request'],
    ['an empty body', () => h.post(''), 400, 'bad_request'],
    ['a message of the wrong type', () => h.post({ message: 42 }), 400, 'bad_request', 'message'],
    ['an empty message', () => h.post({ message: '' }), 400, 'bad_request', 'message'],
    ['an unknown provider', () => h.post({ message: 'hi', provider: 'gemini' }), 400, 'bad_request', 'provider'],
    ['a model outside the allowed list', () => h.post({ message: 'hi', model: 'gpt-2' }), 400, 'bad_request', 'model'],
    ['a temperature out of range', () => h.post({ message: 'hi', temperature: 9 }), 400, 'bad_request', 'temperature'],
    ['an over-long message', () => h.post({ message: 'x'.repeat(32_001) }), 413, 'payload_too_large', 'message'],
    ['a body over the size limit', () => h.post({ message: 'hi', systemPrompt: 'y'.repeat(300_000) }), 413, 'payload_too_large'],
    ['a conversation id that is not a uuid', () => h.post({ message: 'hi', conversationId: 'conv_123' }), 400, 'bad_request', 'conversationId'],
    ['a conversation that does not exist', () => h.post({ message: 'hi', conversationId: crypto.randomUUID() }), 404, 'not_found'],
    ['a parent without a conversation', () => h.post({ message: 'hi', parentMessageId: crypto.randomUUID() }), 400, 'bad_request', 'conversationId'],
    ['no message and no parent to answer again', () => h.post({ conversationId: crypto.randomUUID() }), 400, 'bad_request', 'message'],
  ];

  it.each(cases)('%s gets a clear JSON error and writes nothing', async (_name, send, status, code, field) => {
    const before = await h.counts();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
    if (field) expect(body.error.field).toBe(field);
    expect(await h.counts()).toEqual(before);
    expect(h.openai.requests).toHaveLength(0);
  });

  it("another user's conversation answers 404 and writes nothing", async () => {
    const stranger = await h.store.forUser(crypto.randomUUID());
    const theirs = await stranger.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const before = await h.counts();
    const response = await h.post({ message: 'let me in', conversationId: theirs.id });
    expect(response.status).toBe(404);
    expect(await h.counts()).toEqual(before);
  });

  it('a parent message from another conversation answers 404', async () => {
    const me = (await h.store.forRequest(new Request('http://localhost/')))!;
    const a = await me.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const b = await me.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const inA = await me.appendMessage({ conversationId: a.id, parentId: null, role: 'user', content: 'x' });
    const before = await h.counts();
    const response = await h.post({ message: 'hi', conversationId: b.id, parentMessageId: inA.id });
    expect(response.status).toBe(404);
    expect(await h.counts()).toEqual(before);
  });

  it('without a session: 401, and nothing written', async () => {
    const signedOut = await startChatHarness();
    try {
      const handler = (await import('@/features/ai-chat/server/http/chat-handler')).createChatHandler({
        ...signedOut.handler.options,
        store: { forRequest: async () => null, replies: signedOut.store.replies, close: async () => {} },
      });
      const response = await handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' }));
      expect(response.status).toBe(401);
      expect((await response.json()).error.code).toBe('unauthorized');
      expect(await signedOut.counts()).toEqual({ conversations: 0, messages: 0, usage: 0 });
    } finally {
      await signedOut.close();
    }
  });

  it('ignores a userId in the body: identity comes from the session', async () => {
    h.openai.script({ text: 'ok' });
    const someoneElse = crypto.randomUUID();
    const events = await readChatEvents(await h.post({ message: 'who am I', userId: someoneElse }));
    const start = events[0] as Extract<ChatEvent, { type: 'start' }>;
    const [row] = await h.sql<{ user_id: string }>('select user_id from public.ai_chat_conversations where id = $1', [start.conversationId]);
    expect(row!.user_id).not.toBe(someoneElse);
    expect(row!.user_id).toBe((await h.store.forRequest(new Request('http://localhost/')))!.userId);
  });

  it('a provider without a key is refused with the variable to set', async () => {
    const openaiOnly = await startChatHarness();
    try {
      const handler = (await import('@/features/ai-chat/server/http/chat-handler')).createChatHandler({
        ...openaiOnly.handler.options,
        providers: { openai: openaiOnly.handler.options.providers.openai },
      });
      const response = await handler.chat(
        new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi', provider: 'anthropic' }) }),
      );
      expect(response.status).toBe(503);
      expect((await response.json()).error.message).toContain('ANTHROPIC_API_KEY');
      expect(await openaiOnly.counts()).toEqual({ conversations: 0, messages: 0, usage: 0 });
    } finally {
      await openaiOnly.close();
    }
  });
});
