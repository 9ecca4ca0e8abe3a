import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { conversationExportSchema, type ConversationExport } from '@/features/ai-chat/protocol/export';
import { conversationDetailSchema, errorResponseSchema } from '@/features/ai-chat/protocol/rest';
import type { AttachmentRecord, UserChatStore } from '@/features/ai-chat/store/chat-store';
import { LOCAL_USER } from '@/features/ai-chat/store/embedded/embedded-chat-store';
import { fileForm, png } from '../support/attachment-fixtures';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';

/**
 * An export brought back is the same conversation: each message when it was said and with the
 * tokens it was counted at, the person's own files with it, and a wrong file refused in words.
 */
describe('an import keeps what the export says', () => {
  let h: ChatHarness;
  let me: UserChatStore;
  beforeAll(async () => {
    h = await startChatHarness();
    me = await h.store.forUser(LOCAL_USER.id);
  });
  afterAll(async () => {
    await h?.close();
  });

  const importFile = (file: unknown) => h.call('POST', '/conversations/import', file);
  async function exported(conversationId: string): Promise<ConversationExport> {
    return conversationExportSchema.parse(await (await h.call('GET', `/conversations/${conversationId}/export`)).json());
  }
  async function upload(bytes: Uint8Array, name: string): Promise<AttachmentRecord> {
    const encoded = new Response(fileForm(bytes, name));
    const body = new Uint8Array(await encoded.arrayBuffer());
    const response = await h.handler.route(
      new Request('http://localhost/api/chat/attachments', { method: 'POST', body, headers: { 'content-type': encoded.headers.get('content-type')! } }),
    );
    return ((await response.json()) as { attachment: AttachmentRecord }).attachment;
  }

  it('keeps every message time and token count of a round trip, for a chat said days ago', async () => {
    h.openai.script({ text: 'Red, mostly.', usage: { promptTokens: 10, completionTokens: 4 } });
    const events = await readChatEvents(await h.post({ message: 'What colour is a fire engine?' }));
    const { conversationId } = events[0] as Extract<ChatEvent, { type: 'start' }>;
    // Said three days ago, counted by another provider's tokenizer (120 where ours says fewer).
    await h.sql(`update public.ai_chat_messages set created_at = created_at - interval '3 days', tokens = tokens + 7 where conversation_id = $1`, [conversationId]);
    const original = await me.listMessages(conversationId);
    const file = await exported(conversationId);

    const response = await importFile(file);
    expect(response.status).toBe(201);
    const detail = conversationDetailSchema.parse(await response.json());
    expect(detail.messages.map((m) => [m.content, m.createdAt, m.tokens])).toEqual(original.map((m) => [m.content, m.createdAt, m.tokens]));
    // The imported chat is the newest thing the person did: it sorts first in their list.
    const { conversations } = (await (await h.call('GET', '/conversations')).json()) as { conversations: { id: string }[] };
    expect(conversations[0]!.id).toBe(detail.conversation.id);
  });

  it('counts only what the file leaves out, never trusts a count shrunk under half, and never dates a message in the future', async () => {
    const now = Date.now();
    const message = (id: string, parentId: string | null, content: string, tokens: number | null, createdAt: string) => ({
      id, parentId, role: parentId === null ? 'user' : 'assistant', content, tokens, createdAt,
    });
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const file = {
      format: 'ai-chat.conversation',
      version: 1,
      exportedAt: new Date(now).toISOString(),
      conversation: { title: 'Counts', provider: 'openai', model: 'gpt-4o', createdAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString() },
      messages: [
        message('a', null, long, null, '2026-01-02T03:04:05.000Z'),
        message('b', 'a', long, 1, '2026-01-02T03:04:06.000Z'),
        message('c', 'b', long, 300, '2099-01-01T00:00:00.000Z'),
      ],
    };
    const response = await importFile(file);
    expect(response.status).toBe(201);
    const detail = conversationDetailSchema.parse(await response.json());
    const [missing, shrunk, kept] = detail.messages;
    expect(missing!.tokens).toBeGreaterThan(150);
    expect(shrunk!.tokens).toBe(missing!.tokens);
    expect(kept!.tokens).toBe(300);
    expect(missing!.createdAt).toBe(new Date('2026-01-02T03:04:05.000Z').toISOString());
    expect(Date.parse(kept!.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(kept!.createdAt)).toBeGreaterThanOrEqual(now - 60_000);
  });

  it("brings my own files back with my export, even once the original chat is deleted", async () => {
    const red = await upload(png(32, 20), 'red.png');
    h.openai.script({ text: 'A red square.' });
    const events = await readChatEvents(await h.post({ message: 'What is this?', attachments: [red.id] }));
    const { conversationId } = events[0] as Extract<ChatEvent, { type: 'start' }>;
    const file = await exported(conversationId);

    const detail = conversationDetailSchema.parse(await (await importFile(file)).json());
    await h.call('DELETE', `/conversations/${conversationId}`);
    const question = detail.messages[0]!;
    expect(question.content).toBe('What is this?');
    const part = question.parts?.find((p) => p.type === 'file');
    if (part?.type !== 'file') throw new Error('the imported question has no file');
    expect(part).toMatchObject({ name: 'red.png', mediaType: 'image/png' });
    expect(part.attachmentId).not.toBe(red.id);
    const download = await h.call('GET', `/attachments/${part.attachmentId}`);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(png(32, 20));

  });

  it("a stranger's export names files that are not mine: they stay out as a note", async () => {
    const stranger = await h.store.forUser(crypto.randomUUID());
    const theirs = await stranger.attachments.create({ mediaType: 'image/png', name: 'their.png', data: png(4, 4), width: 4, height: 4 });
    const now = new Date().toISOString();
    const response = await importFile({
      format: 'ai-chat.conversation',
      version: 1,
      exportedAt: now,
      conversation: { title: 'Theirs', provider: 'openai', model: 'gpt-4o', createdAt: now, updatedAt: now },
      messages: [
        {
          id: 'a', parentId: null, role: 'user', content: 'Look', createdAt: now,
          parts: [{ type: 'text', text: 'Look' }, { type: 'file', attachmentId: theirs.id, mediaType: 'image/png', name: 'their.png', size: 10 }],
        },
      ],
    });
    const detail = conversationDetailSchema.parse(await response.json());
    expect(detail.messages[0]!.content).toBe('Look\n[file not imported: their.png]');
    expect(detail.messages[0]!.parts?.some((p) => p.type === 'file')).toBe(false);
  });

  it('says in words what is wrong with a file that is not an export, or a damaged one', async () => {
    const now = new Date().toISOString();
    const good = {
      format: 'ai-chat.conversation', version: 1, exportedAt: now,
      conversation: { title: 'T', provider: 'openai', model: 'gpt-4o', createdAt: now, updatedAt: now },
      messages: [{ id: 'a', parentId: null, role: 'user', content: 'Hi', createdAt: now }],
    };
    const withoutTime: Partial<typeof good> = { ...good };
    delete withoutTime.exportedAt;
    const cases: [unknown, RegExp][] = [
      [withoutTime, /^This export is damaged: the export time is missing\./],
      [{ messages: [] }, /^This file is not a conversation exported from this app/],
      [{ ...good, version: 9 }, /^This export is of another version \(9\)/],
      [{ ...good, messages: [{ ...good.messages[0], createdAt: 'yesterday' }] }, /^This export is damaged: message 1's time is not in the right format/],
      [{ ...good, messages: [{ ...good.messages[0], parentId: 'zz' }] }, /^This export is damaged: message 1's link to the message before it names no message in this file/],
    ];
    for (const [file, words] of cases) {
      const response = await importFile(file);
      expect(response.status).toBe(400);
      const { error } = errorResponseSchema.parse(await response.json());
      expect(error.message).toMatch(words);
      expect(error.message).not.toMatch(/Invalid input|expected string|received undefined/);
    }
    const notJson = await h.handler.route(
      new Request('http://localhost/api/chat/conversations/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '# My notes\n' }),
    );
    expect(errorResponseSchema.parse(await notJson.json()).error.message).toMatch(/^This file is not JSON/);
  });
});
