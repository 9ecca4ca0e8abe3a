import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createChatHandler, defineTool, type ChatHandler, type ChatHandlerOptions } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import type { MessageRecord } from '@/features/ai-chat/protocol/records';
import { attachmentBytesFor } from '@/features/ai-chat/store/attachments/attachment-bytes';
import type { AttachmentRecord } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { registerModels } from '@/features/ai-chat/providers/pricing';
import { png } from '../support/attachment-fixtures';
import { eventually, startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents, textOf } from '../support/sse';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';
import { scriptedProvider, usage, type ScriptedProvider } from './support/scripted-provider';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';

/**
 * A turn carries the message's parts from the provider's events to the stream, the saved row and
 * the export: reasoning apart from the answer (timed by the server, signed blocks sent back in a
 * tool loop), refusals as refusals, files checked, sent and sent again. The real handler, store
 * and file store on PGlite (and PostgreSQL when TEST_DATABASE_URL is set); the provider is scripted at
 * the event level, since the adapters that produce these events are tested against their wire
 * formats.
 */

// Models that read images and PDFs, and ones that read text only (the catalogue's own rows gain
// `accepts` with the adapters' work; these keep this suite independent of that).
registerModels([
  { provider: 'anthropic', id: 'test-claude-vision', input: '3', output: '15', cachedInput: '0.30', contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-12-01', accepts: { images: true, pdf: true } },
  { provider: 'anthropic', id: 'test-claude-text', input: '3', output: '15', contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-12-01' },
  { provider: 'openai', id: 'test-gpt-text', input: '2.50', output: '10.00', contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2026-12-01' },
]);

/** A real PNG of 1000 × 1200 px: 1,600 tokens to Claude (width × height / 750), a few KB to store. */
const SCREENSHOT = { data: png(1000, 1200), width: 1000, height: 1200 };
const ICON = { data: png(2, 2), width: 2, height: 2 };

describe.each(databaseKinds())('message parts through a turn on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  interface Setup {
    handler: ChatHandler;
    anthropic: ScriptedProvider;
    openai: ScriptedProvider;
    userId: string;
    store: PostgresUserStore;
    /** A PNG in this user's files, as the upload route stores one. */
    image(name: string, picture?: typeof ICON): Promise<AttachmentRecord>;
    /** Another signed-in user's store, sharing the same file bytes. */
    stranger(): Promise<PostgresUserStore>;
    post(body: unknown): Promise<Response>;
    turn(body: unknown): Promise<ChatEvent[]>;
    messages(conversationId: string): Promise<MessageRecord[]>;
    /** GET /api/chat/attachments/:id, as the person's browser loads the file. */
    download(id: string): Promise<Response>;
    /** Where the file's row says it was sent: null until a message carries it. */
    boundTo(id: string): Promise<{ conversationId: string | null; messageId: string | null }>;
    counts(): Promise<{ conversations: number; messages: number; usage: number }>;
  }

  const imageIn = (store: PostgresUserStore, name: string, picture = ICON) =>
    store.attachments.create({ mediaType: 'image/png', name, ...picture });

  async function setup(options: { tools?: boolean; backups?: ChatHandlerOptions['backups'] } = {}): Promise<Setup> {
    const userId = await db.createUser();
    const anthropic = scriptedProvider('anthropic');
    const openai = scriptedProvider('openai');
    const bytes = attachmentBytesFor('memory://');
    const store = new PostgresUserStore(db.sql, userId, bytes);
    const handler = createChatHandler({
      store: { forRequest: async () => store, replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: { anthropic, openai },
      defaultProvider: 'anthropic',
      models: {
        anthropic: { defaultModel: 'claude-sonnet-4-5', allowedModels: ['claude-sonnet-4-5', 'test-claude-vision', 'test-claude-text'] },
        openai: { defaultModel: 'gpt-4o', allowedModels: ['gpt-4o'] },
      },
      backups: options.backups,
      tools: options.tools
        ? [
            defineTool({
              name: 'add',
              description: 'Adds two numbers',
              parameters: z.object({ a: z.number(), b: z.number() }),
              execute: ({ a, b }) => ({ sum: a + b }),
            }),
          ]
        : [],
    });
    const post = (body: unknown) =>
      handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    return {
      handler,
      anthropic,
      openai,
      userId,
      store,
      image: (name, picture) => imageIn(store, name, picture),
      stranger: async () => new PostgresUserStore(db.sql, await db.createUser(), bytes),
      post,
      async turn(body) {
        const response = await post(body);
        expect(response.status, await response.clone().text()).toBe(200);
        return readChatEvents(response);
      },
      messages: (conversationId) => store.listMessages(conversationId),
      download: (id) => handler.route(new Request(`http://localhost/api/chat/attachments/${id}`)),
      async boundTo(id) {
        const [row] = await db.admin(`select conversation_id, message_id from public.ai_chat_attachments where id = $1`, [id]);
        expect(row, `no row for file ${id}`).toBeDefined();
        return { conversationId: row!.conversation_id as string | null, messageId: row!.message_id as string | null };
      },
      async counts() {
        const [row] = await db.admin(
          `select (select count(*)::int from public.ai_chat_conversations where user_id = $1) as conversations,
                  (select count(*)::int from public.ai_chat_messages m join public.ai_chat_conversations c on c.id = m.conversation_id where c.user_id = $1) as messages,
                  (select count(*)::int from public.ai_chat_usage where user_id = $1) as usage`,
          [userId],
        );
        return row as { conversations: number; messages: number; usage: number };
      },
    };
  }

  const assistantOf = (messages: MessageRecord[]) => messages.filter((message) => message.role === 'assistant').at(-1)!;

  it('streams reasoning apart from the answer, timed by the server, and saves it before the text with its signature', async () => {
    const t = await setup();
    t.anthropic.script([
      { type: 'accepted' },
      { type: 'reasoning-start' },
      { type: 'reasoning-delta', delta: 'Two and two' },
      { type: 'wait', ms: 120 },
      { type: 'reasoning-delta', delta: ' make four.' },
      { type: 'reasoning-part', part: { type: 'reasoning', text: 'Two and two make four.', provider: 'anthropic', signature: 'sig-abc' } },
      { type: 'text-delta', delta: 'It is ' },
      { type: 'text-delta', delta: 'four.' },
      usage(40, 90, { reasoningTokens: 80 }),
      { type: 'finish', finishReason: 'stop' },
    ]);
    const events = await t.turn({ message: 'What is 2 + 2?' });

    const kinds = events.map((event) => event.type);
    expect(kinds.slice(0, 6)).toEqual(['start', 'reasoning-start', 'reasoning-delta', 'reasoning-delta', 'reasoning-end', 'text-delta']);
    const end = events.find((event) => event.type === 'reasoning-end') as Extract<ChatEvent, { type: 'reasoning-end' }>;
    expect(end.durationMs).toBeGreaterThanOrEqual(100);
    // The answer never contains the thinking.
    expect(textOf(events)).toBe('It is four.');
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ promptTokens: 40, completionTokens: 90, reasoningTokens: 80 });

    const reply = assistantOf(await t.messages(startOf(events).conversationId));
    expect(reply.content).toBe('It is four.');
    expect(reply.parts).toEqual([
      { type: 'reasoning', text: 'Two and two make four.', provider: 'anthropic', signature: 'sig-abc', durationMs: end.durationMs },
      { type: 'text', text: 'It is four.' },
    ]);
    // The answer's size, not what was billed: the 80 reasoning tokens are never sent again.
    expect(reply.tokens).toBeLessThan(10);
    expect(reply.metadata).toMatchObject({ promptTokens: 40, completionTokens: 90, reasoningTokens: 80 });
  });

  it('sends a tool step its own signed reasoning back with the tool call, and later turns only the text', async () => {
    const t = await setup({ tools: true });
    t.anthropic.script(
      [
        { type: 'accepted' },
        { type: 'reasoning-start' },
        { type: 'reasoning-delta', delta: 'I should add.' },
        { type: 'reasoning-part', part: { type: 'reasoning', text: 'I should add.', provider: 'anthropic', signature: 'sig-tool' } },
        { type: 'reasoning-part', part: { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque==' } },
        { type: 'tool-call', id: 'toolu_1', name: 'add', args: { a: 2, b: 3 } },
        usage(50, 20),
        { type: 'finish', finishReason: 'tool-calls' },
      ],
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'The sum is 5.' }, usage(80, 6), { type: 'finish', finishReason: 'stop' }],
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'You are welcome.' }, usage(90, 4), { type: 'finish', finishReason: 'stop' }],
    );
    const events = await t.turn({ message: 'Add 2 and 3' });
    expect(textOf(events)).toBe('The sum is 5.');

    const followUp = t.anthropic.requests[1]!.messages;
    const assistantStep = followUp.find((message) => message.role === 'assistant');
    expect(assistantStep).toMatchObject({
      role: 'assistant',
      toolCalls: [{ id: 'toolu_1', name: 'add', args: { a: 2, b: 3 } }],
      reasoning: [
        { type: 'reasoning', provider: 'anthropic', signature: 'sig-tool', text: 'I should add.' },
        { type: 'reasoning', provider: 'anthropic', redactedData: 'opaque==' },
      ],
    });
    expect(followUp.at(-1)).toMatchObject({ role: 'tool', toolCallId: 'toolu_1', content: JSON.stringify({ sum: 5 }) });

    const { conversationId } = startOf(events);
    const reply = assistantOf(await t.messages(conversationId));
    expect(reply.parts!.map((part) => part.type)).toEqual(['reasoning', 'reasoning', 'tool-call', 'tool-result', 'text']);
    expect(reply.parts![3]).toEqual({ type: 'tool-result', id: 'toolu_1', result: { sum: 5 } });
    expect(reply.content).toBe('The sum is 5.');

    await t.turn({ message: 'Thanks', conversationId });
    const nextTurn = t.anthropic.requests[2]!.messages;
    expect(nextTurn.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    // An earlier turn goes as its text: no reasoning, no signature.
    expect(nextTurn[1]).toEqual({ role: 'assistant', content: 'The sum is 5.' });
  });

  it('a refusal streams as a refusal, is saved and exported as one, never as an empty answer', async () => {
    const t = await setup();
    t.openai.script([
      { type: 'accepted' },
      { type: 'refusal-delta', delta: "I'm sorry, " },
      { type: 'refusal-delta', delta: "I can't help with that." },
      usage(12, 9),
      { type: 'finish', finishReason: 'content-filter' },
    ]);
    const events = await t.turn({ message: 'Something bad', provider: 'openai' });
    expect(events.filter((event) => event.type === 'refusal-delta').map((event) => (event as { delta: string }).delta).join('')).toBe(
      "I'm sorry, I can't help with that.",
    );
    expect(textOf(events)).toBe('');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content-filter' });

    const { conversationId } = startOf(events);
    const reply = assistantOf(await t.messages(conversationId));
    expect(reply.parts).toEqual([{ type: 'refusal', text: "I'm sorry, I can't help with that." }]);
    expect(reply.content).toBe('');
    expect(reply.metadata).toMatchObject({ finishReason: 'content-filter' });

    const exported = await t.handler.route(new Request(`http://localhost/api/chat/conversations/${conversationId}/export?format=json`));
    expect(exported.status).toBe(200);
    const file = (await exported.json()) as { messages: { role: string; parts: unknown }[] };
    expect(file.messages.find((message) => message.role === 'assistant')!.parts).toEqual([
      { type: 'refusal', text: "I'm sorry, I can't help with that." },
    ]);
  });

  it("Claude's refusal stop turns the text it streamed into a saved refusal, and tells the client so before the finish", async () => {
    const t = await setup();
    t.anthropic.script([
      { type: 'accepted' },
      { type: 'text-delta', delta: 'I will not write that.' },
      usage(12, 7),
      { type: 'finish', finishReason: 'content-filter' },
    ]);
    const events = await t.turn({ message: 'Something bad' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content-filter' });
    // The server decides what is a refusal: the client only applies what it is told.
    const told = events.findIndex((event) => event.type === 'text-is-refusal');
    expect(told).toBeGreaterThan(events.findIndex((event) => event.type === 'text-delta'));
    expect(told).toBeLessThan(events.length - 1);
    const reply = assistantOf(await t.messages(startOf(events).conversationId));
    expect(reply.parts).toEqual([{ type: 'refusal', text: 'I will not write that.' }]);
  });

  it('stopping a reply while it thinks keeps the thinking so far, as a partial reply with no provider secret', async () => {
    const t = await setup();
    t.anthropic.script([
      { type: 'accepted' },
      { type: 'reasoning-start' },
      { type: 'reasoning-delta', delta: 'Let me consider' },
      { type: 'wait', ms: 30_000 },
      { type: 'text-delta', delta: 'never sent' },
    ]);
    const response = await t.handler.chat(
      new Request('http://localhost/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Think hard' }),
      }),
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('reasoning-delta')) seen += (await reader.read()).value ?? '';
    const conversationId = /"conversationId":"([^"]+)"/.exec(seen)![1]!;
    const replyId = /"assistantMessageId":"([^"]+)"/.exec(seen)![1]!;
    // Stop is its own request since issue 12 (leaving the stream no longer stops the reply).
    const stopped = await t.handler.route(
      new Request(`http://localhost/api/chat/replies/${replyId}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    expect(stopped.status).toBe(202);
    await reader.cancel().catch(() => undefined);

    const reply = await eventually(async () => {
      const found = (await t.messages(conversationId)).find((message) => message.role === 'assistant');
      expect(found).toBeDefined();
      return found!;
    });
    expect(reply.status).toBe('partial');
    expect(reply.content).toBe('');
    expect(reply.parts).toEqual([{ type: 'reasoning', text: 'Let me consider', provider: 'anthropic', durationMs: expect.any(Number) }]);
  });

  it('a reply cut at the length limit says so and keeps its text', async () => {
    const t = await setup();
    t.anthropic.script([{ type: 'accepted' }, { type: 'text-delta', delta: 'Once upon a time there' }, usage(10, 5), { type: 'finish', finishReason: 'length' }]);
    const events = await t.turn({ message: 'Tell me a story', maxTokens: 5 });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
    const reply = assistantOf(await t.messages(startOf(events).conversationId));
    expect(reply).toMatchObject({ content: 'Once upon a time there', status: 'complete', parts: [{ type: 'text', text: 'Once upon a time there' }] });
    expect(reply.metadata).toMatchObject({ finishReason: 'length' });
  });

  it('usage says how much of the prompt came from or went to the cache, and how much was thinking, on the event and the row', async () => {
    const t = await setup();
    t.anthropic.script([
      { type: 'accepted' },
      { type: 'text-delta', delta: 'Hello again.' },
      usage(1_200, 60, { cachedPromptTokens: 1_000, cacheWriteTokens: 150, reasoningTokens: 40 }),
      { type: 'finish', finishReason: 'stop' },
    ]);
    const events = await t.turn({ message: 'Hi', reasoningEffort: 'low' });
    expect(t.anthropic.requests[0]!.reasoning).toBe('low');
    expect(events.find((event) => event.type === 'usage')).toMatchObject({
      promptTokens: 1_200,
      completionTokens: 60,
      cachedPromptTokens: 1_000,
      cacheWriteTokens: 150,
      reasoningTokens: 40,
    });
    const reply = assistantOf(await t.messages(startOf(events).conversationId));
    expect(reply.metadata).toMatchObject({ promptTokens: 1_200, completionTokens: 60, cachedPromptTokens: 1_000, cacheWriteTokens: 150, reasoningTokens: 40 });
  });

  it('a message of files only is sent with its bytes, saved with its file parts, bound to it, and shown to the model again next turn', async () => {
    const t = await setup();
    const image = await t.image('screenshot.png', SCREENSHOT);
    t.anthropic.script(
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'A tiny image.' }, usage(1_700, 4), { type: 'finish', finishReason: 'stop' }],
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'Still tiny.' }, usage(1_720, 3), { type: 'finish', finishReason: 'stop' }],
    );
    const events = await t.turn({ attachments: [image.id], model: 'test-claude-vision' });
    const sent = t.anthropic.requests[0]!.messages.at(-1)!;
    expect(sent).toMatchObject({ role: 'user', content: '', files: [{ mediaType: 'image/png', name: 'screenshot.png' }] });
    expect((sent as { files: { data: Uint8Array }[] }).files[0]!.data).toEqual(SCREENSHOT.data);

    const { conversationId, userMessageId } = startOf(events);
    const question = (await t.messages(conversationId)).find((message) => message.role === 'user')!;
    expect(question.parts).toEqual([{ type: 'file', attachmentId: image.id, mediaType: 'image/png', name: 'screenshot.png', size: SCREENSHOT.data.byteLength }]);
    expect(question.content).toBe('');
    // The image counts in this prompt and later ones (the estimate: 1,600 for this image).
    expect(question.tokens).toBeGreaterThanOrEqual(1_600);
    // Bound to the question that carried it, and still there for the person to open.
    expect(await t.boundTo(image.id)).toEqual({ conversationId, messageId: userMessageId });
    const opened = await t.download(image.id);
    expect(opened.status).toBe(200);
    expect(new Uint8Array(await opened.arrayBuffer())).toEqual(SCREENSHOT.data);

    await t.turn({ message: 'And now?', conversationId });
    const history = t.anthropic.requests[1]!.messages;
    expect(history[0]).toMatchObject({ role: 'user', files: [{ name: 'screenshot.png' }] });
    // Read again from storage: the model sees the same bytes, not just the name.
    expect((history[0] as { files: { data: Uint8Array }[] }).files[0]!.data).toEqual(SCREENSHOT.data);
    expect(history[2]).toEqual({ role: 'user', content: 'And now?' });
  });

  it("another user's file, an unknown one or one from another conversation is refused naming the field: nothing written, no provider called", async () => {
    const t = await setup();
    const stranger = await t.stranger();
    const theirs = await imageIn(stranger, 'theirs.png');
    // Sent in an earlier conversation of mine, so it belongs to that one.
    const elsewhere = await t.image('old.png');
    t.anthropic.script([{ type: 'accepted' }, { type: 'text-delta', delta: 'A dot.' }, usage(10, 2), { type: 'finish', finishReason: 'stop' }]);
    const earlier = startOf(await t.turn({ message: 'What is this?', attachments: [elsewhere.id], model: 'test-claude-vision' }));
    const before = await t.counts();
    const called = t.anthropic.requests.length;

    for (const id of [theirs.id, crypto.randomUUID(), elsewhere.id]) {
      const response = await t.post({ message: 'Look', attachments: [id], model: 'test-claude-vision' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { field?: string; message: string } };
      expect(body.error.field).toBe('attachments');
      expect(body.error.message).toContain(id);
    }
    // No conversation, message or usage row written; no provider called.
    expect(await t.counts()).toEqual(before);
    expect(t.anthropic.requests).toHaveLength(called);
    // Nothing bound or moved: theirs is still their unsent file, hidden from me; mine stays where it was sent.
    expect(await t.boundTo(theirs.id)).toEqual({ conversationId: null, messageId: null });
    expect(await stranger.attachments.read(theirs.id)).toEqual(ICON.data);
    expect((await t.download(theirs.id)).status).toBe(404);
    expect(await t.boundTo(elsewhere.id)).toEqual({ conversationId: earlier.conversationId, messageId: earlier.userMessageId });
  });

  it('a model that reads no images is refused with its name before anything is written', async () => {
    const t = await setup();
    const image = await t.image('chart.png');
    const before = await t.counts();
    const response = await t.post({ message: 'What does this show?', attachments: [image.id], model: 'test-claude-text' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { field?: string; message: string } };
    expect(body.error.field).toBe('model');
    expect(body.error.message).toContain('test-claude-text');
    expect(await t.counts()).toEqual(before);
    expect(t.anthropic.requests).toHaveLength(0);
    expect(await t.boundTo(image.id)).toEqual({ conversationId: null, messageId: null });
  });

  it('a question with an image never fails over to a backup that cannot see it, only to one that can', async () => {
    // The primary fails before any token (no script: a provider error).
    const blind = await setup({ backups: [{ provider: 'openai', model: 'test-gpt-text' }] });
    const chart = await blind.image('chart.png');
    blind.openai.script([{ type: 'accepted' }, { type: 'text-delta', delta: 'I see no image.' }, usage(5, 4), { type: 'finish', finishReason: 'stop' }]);
    const events = await blind.turn({ message: 'What does this show?', attachments: [chart.id], model: 'test-claude-vision' });
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'provider_error' });
    expect(blind.openai.requests).toHaveLength(0);

    // The same failure with a backup that reads images: it answers, and it was sent the image.
    const seeing = await setup({ backups: [{ provider: 'openai', model: 'gpt-4o' }] });
    const same = await seeing.image('chart.png');
    seeing.openai.script([{ type: 'accepted' }, { type: 'text-delta', delta: 'A rising line.' }, usage(90, 4), { type: 'finish', finishReason: 'stop' }]);
    const answered = await seeing.turn({ message: 'What does this show?', attachments: [same.id], model: 'test-claude-vision' });
    expect(textOf(answered)).toBe('A rising line.');
    expect(seeing.openai.requests[0]!.messages.at(-1)).toMatchObject({ role: 'user', files: [{ name: 'chart.png', data: ICON.data }] });
  });

  it('switching to a model that reads no images tells it an image was there instead of sending it', async () => {
    const t = await setup();
    const image = await t.image('screenshot.png');
    t.anthropic.script(
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'A graph.' }, usage(1_700, 3), { type: 'finish', finishReason: 'stop' }],
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'Sure.' }, usage(30, 2), { type: 'finish', finishReason: 'stop' }],
    );
    const { conversationId } = startOf(await t.turn({ message: 'Look', attachments: [image.id], model: 'test-claude-vision' }));
    await t.turn({ message: 'Summarise', conversationId, model: 'test-claude-text' });
    expect(t.anthropic.requests[1]!.messages[0]).toEqual({ role: 'user', content: 'Look\n[file not shown to this model: screenshot.png]' });
  });

  it('more files than a message may carry are refused as too many', async () => {
    const t = await setup();
    const files = await Promise.all(Array.from({ length: 11 }, (_, index) => t.image(`${index}.png`)));
    const before = await t.counts();
    const response = await t.post({ message: 'All of these', attachments: files.map((file) => file.id), model: 'test-claude-vision' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('too_many_files');
    expect(await t.counts()).toEqual(before);
  });

  it('an empty message with no files is still refused, and a body with neither still means regenerate', async () => {
    const t = await setup();
    const empty = await t.post({ message: '' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe('message: must not be empty');

    t.anthropic.script(
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'First.' }, usage(5, 2), { type: 'finish', finishReason: 'stop' }],
      [{ type: 'accepted' }, { type: 'text-delta', delta: 'Second.' }, usage(5, 2), { type: 'finish', finishReason: 'stop' }],
    );
    const first = startOf(await t.turn({ message: 'Hello' }));
    const again = await t.turn({ conversationId: first.conversationId, parentMessageId: first.userMessageId });
    expect(textOf(again)).toBe('Second.');
    expect(t.anthropic.requests[1]!.messages).toEqual([{ role: 'user', content: 'Hello' }]);
  });

  function importFile(messages: Record<string, unknown>[]) {
    const now = new Date().toISOString();
    return {
      format: 'ai-chat.conversation',
      version: 1,
      exportedAt: now,
      conversation: { title: 'From elsewhere', systemPrompt: null, provider: 'anthropic', model: 'claude-sonnet-4-5', summary: null, createdAt: now, updatedAt: now, activeLeafId: null },
      messages: messages.map((message) => ({ status: 'complete', metadata: {}, createdAt: now, ...message })),
    };
  }
  const importRequest = (t: Setup, body: unknown) =>
    t.handler.route(
      new Request('http://localhost/api/chat/conversations/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );

  it('an import keeps the parts but no provider secret and no file: a note says which file was there', async () => {
    const t = await setup();
    const foreignFile = crypto.randomUUID();
    const response = await importRequest(
      t,
      importFile([
        {
          id: 'q',
          parentId: null,
          role: 'user',
          content: 'What is in this?',
          parts: [
            { type: 'text', text: 'What is in this?' },
            { type: 'file', attachmentId: foreignFile, mediaType: 'image/png', name: 'their-photo.png', size: 10 },
          ],
        },
        {
          id: 'a',
          parentId: 'q',
          role: 'assistant',
          content: 'A cat.',
          parts: [
            { type: 'reasoning', text: 'Looks furry.', provider: 'anthropic', signature: 'forged-signature', durationMs: 1200 },
            { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'forged-redacted' },
            { type: 'reasoning', text: 'Summary', provider: 'openai', itemId: 'rs_1', encryptedContent: 'forged-encrypted' },
            { type: 'text', text: 'A cat.' },
          ],
        },
      ]),
    );
    expect(response.status, await response.clone().text()).toBe(201);
    const { conversation } = (await response.json()) as { conversation: { id: string } };
    const messages = await t.messages(conversation.id);
    const question = messages.find((message) => message.role === 'user')!;
    expect(question.parts).toEqual([
      { type: 'text', text: 'What is in this?' },
      { type: 'text', text: '\n[file not imported: their-photo.png]' },
    ]);
    expect(question.content).toBe('What is in this?\n[file not imported: their-photo.png]');
    const reply = assistantOf(messages);
    expect(reply.parts).toEqual([
      { type: 'reasoning', text: 'Looks furry.', provider: 'anthropic', durationMs: 1200 },
      { type: 'reasoning', text: '', provider: 'anthropic' },
      { type: 'reasoning', text: 'Summary', provider: 'openai' },
      { type: 'text', text: 'A cat.' },
    ]);
    expect(JSON.stringify(messages)).not.toMatch(/forged|their-photo.png"|attachmentId/);
  });

  it('a hostile import (a part of no known kind, a file naming no id, NUL, too many parts) is refused and writes nothing', async () => {
    const t = await setup();
    const before = await t.counts();
    const hostile: unknown[][] = [
      [{ type: 'script', text: 'x' }],
      [{ type: 'file', attachmentId: '../../etc/passwd', mediaType: 'image/png', name: 'x.png', size: 1 }],
      [{ type: 'file', attachmentId: crypto.randomUUID(), mediaType: 'text/html', name: 'x.html', size: 1 }],
      [{ type: 'text', text: 'nul \u0000 here' }],
      Array.from({ length: 501 }, () => ({ type: 'text', text: 'a' })),
      [{ type: 'reasoning', text: 'no provider' }],
    ];
    for (const parts of hostile) {
      const response = await importRequest(t, importFile([{ id: 'q', parentId: null, role: 'user', content: 'hi', parts }]));
      expect(response.status, JSON.stringify(parts).slice(0, 80)).toBe(400);
      const { error } = (await response.json()) as { error: { message: string; field?: string } };
      expect(error.field).toMatch(/^messages\.0\.parts/);
      expect(error.message).toMatch(/^This export is damaged: message 1's parts/);
    }
    expect(await t.counts()).toEqual(before);
  });
});

describe('message parts through the real adapters', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('a plain question and answer are saved as text parts, content their text', async () => {
    h.openai.script({ text: 'Hello there, friend.' });
    const response = await h.post({ message: 'Say hello', provider: 'openai' });
    const events = await readChatEvents(response);
    expect(textOf(events)).toBe('Hello there, friend.');
    const rows = await h.sql<{ role: string; content: string; parts: unknown }>(
      `select role, content, parts from public.ai_chat_messages where conversation_id = $1 order by created_at`,
      [startOf(events).conversationId],
    );
    expect(rows).toEqual([
      { role: 'user', content: 'Say hello', parts: [{ type: 'text', text: 'Say hello' }] },
      { role: 'assistant', content: 'Hello there, friend.', parts: [{ type: 'text', text: 'Hello there, friend.' }] },
    ]);
  });
});

function startOf(events: ChatEvent[]) {
  return events.find((event): event is Extract<ChatEvent, { type: 'start' }> => event.type === 'start')!;
}
