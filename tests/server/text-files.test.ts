import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAttachment, DEFAULT_ATTACHMENT_LIMITS } from '@/features/ai-chat/server/files/attachment-check';
import { sniffFile } from '@/features/ai-chat/server/files/file-sniff';
import type { ChatError } from '@/features/ai-chat/protocol/errors';
import type { AttachmentRecord } from '@/features/ai-chat/store/chat-store';
import { fileForm, png } from '../support/attachment-fixtures';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { readChatEvents } from '../support/sse';

/**
 * Text files people attach (notes, Markdown, CSV, JSON, source code): judged by their bytes as
 * UTF-8, whatever their name, and sent to the model as named text it reads and is billed for.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);
const TEXT = { mediaType: 'text/plain', width: null, height: null, pages: null };

async function refusal(bytes: Uint8Array, name: string): Promise<ChatError> {
  try {
    await checkAttachment({ name, bytes }, DEFAULT_ATTACHMENT_LIMITS);
  } catch (error) {
    return error as ChatError;
  }
  throw new Error(`${name} was accepted`);
}

describe('a text file, by its bytes', () => {
  it('plain text, Markdown, CSV, JSON and source code are text, named by their own extension', async () => {
    for (const [name, body] of [
      ['notes.txt', 'Buy milk\n'],
      ['README.md', '# Title\n\n- one\n- two\n'],
      ['prices.csv', 'item,price\napple,1.20\n'],
      ['data.json', '{"a": [1, 2, 3]}'],
      ['main.ts', 'export const x: number = 1;\n'],
      ['été.txt', 'Ça déjà vu — ✓ 日本語\n'],
    ] as const) {
      expect(await sniffFile(utf8(body))).toEqual(TEXT);
      expect(await checkAttachment({ name, bytes: utf8(body) }, DEFAULT_ATTACHMENT_LIMITS)).toMatchObject({ mediaType: 'text/plain', name });
    }
  });

  it('a file with no text extension keeps its name and gains .txt, so nothing opens it as something else', async () => {
    expect((await checkAttachment({ name: 'Makefile.exe', bytes: utf8('all:\n\techo hi\n') }, DEFAULT_ATTACHMENT_LIMITS)).name).toBe('Makefile.exe.txt');
  });

  it('binary named .txt is refused, saying it is binary', async () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);
    expect(await sniffFile(elf)).toBeNull();
    const error = await refusal(elf, 'notes.txt');
    expect(error).toMatchObject({ code: 'unsupported_file_type', status: 415 });
    expect(error.message).toMatch(/binary/);
    // Random-looking bytes with no NUL (compressed data) are not UTF-8.
    const noisy = Uint8Array.from({ length: 4096 }, (_, i) => 1 + ((i * 7919) % 255));
    expect((await refusal(noisy, 'data.txt')).message).toMatch(/not valid UTF-8|binary/);
  });

  it('invalid UTF-8 (Latin-1, a lone continuation byte, an overlong form, a cut sequence) is refused as not UTF-8', async () => {
    for (const bytes of [
      new Uint8Array(Buffer.from('caf\u00e9 cr\u00e8me\n', 'latin1')),
      new Uint8Array([0x61, 0x80, 0x62]),
      new Uint8Array([0xc0, 0xaf]),
      new Uint8Array([0x61, 0x62, 0xe2, 0x82]),
    ]) {
      expect(await sniffFile(bytes)).toBeNull();
      expect((await refusal(bytes, 'x.txt')).message).toMatch(/not valid UTF-8/);
    }
  });

  it('NUL bytes anywhere make a file binary, even in otherwise readable text (and Postgres text cannot hold them)', async () => {
    const withNul = utf8('hello\u0000world\n'.repeat(50));
    expect(await sniffFile(withNul)).toBeNull();
    expect((await refusal(withNul, 'x.md')).message).toMatch(/NUL/);
    // UTF-16 text is full of NULs: refused too, rather than sent as gibberish.
    expect(await sniffFile(new Uint8Array(Buffer.from('\ufeffhello', 'utf16le')))).toBeNull();
  });

  it('a huge single line is text up to the limit, and refused 413 naming maxTextBytes past it', async () => {
    const line = new Uint8Array(DEFAULT_ATTACHMENT_LIMITS.maxTextBytes).fill(0x61);
    expect(await checkAttachment({ name: 'minified.js', bytes: line }, DEFAULT_ATTACHMENT_LIMITS)).toMatchObject({ mediaType: 'text/plain' });
    const over = new Uint8Array(DEFAULT_ATTACHMENT_LIMITS.maxTextBytes + 1).fill(0x61);
    expect(await refusal(over, 'minified.js')).toMatchObject({ code: 'file_too_large', status: 413, details: { limit: 'maxTextBytes' } });
  });

  it('a byte order mark is allowed; a file of only a BOM, or nothing at all, is empty and refused', async () => {
    expect(await sniffFile(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('id,name\n1,Ann\n')]))).toEqual(TEXT);
    expect((await refusal(new Uint8Array([0xef, 0xbb, 0xbf]), 'x.csv')).message).toMatch(/empty/);
    expect(await sniffFile(new Uint8Array())).toBeNull();
  });
});

describe('a text file through a turn', () => {
  let chat: ChatHarness;
  beforeAll(async () => {
    chat = await startChatHarness();
  });
  afterAll(async () => {
    await chat?.close();
  });
  beforeEach(async () => {
    await chat.sql('truncate public.ai_chat_attachments, public.ai_chat_messages, public.ai_chat_conversations, public.ai_chat_usage cascade');
  });

  async function upload(bytes: Uint8Array, name: string): Promise<Response> {
    const encoded = new Response(fileForm(bytes, name));
    const body = new Uint8Array(await encoded.arrayBuffer());
    return chat.handler.route(
      new Request('http://localhost/api/chat/attachments', { method: 'POST', body, headers: { 'content-type': encoded.headers.get('content-type')! } }),
    );
  }

  it('is stored as text/plain, served as UTF-8 text never sniffed, and reaches both providers as named text, counted in the reservation', async () => {
    const notes = '\ufeff# Shopping\n\n- oat milk\n- 12 eggs\n'.repeat(40);
    const response = await upload(utf8(notes), 'list.md');
    expect(response.status).toBe(201);
    const { attachment } = (await response.json()) as { attachment: AttachmentRecord };
    expect(attachment).toMatchObject({ mediaType: 'text/plain', name: 'list.md' });
    const served = await chat.handler.route(new Request(`http://localhost/api/chat/attachments/${attachment.id}`));
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');

    for (const provider of ['openai', 'anthropic'] as const) {
      const fake = chat[provider];
      fake.reset();
      fake.script({ text: 'Oat milk and eggs.' });
      const upload2 = provider === 'openai' ? attachment : ((await (await upload(utf8(notes), 'list.md')).json()) as { attachment: AttachmentRecord }).attachment;
      const events = await readChatEvents(await chat.post({ message: 'What is on my list?', attachments: [upload2.id], provider }));
      expect(events.find((event) => event.type === 'error')).toBeUndefined();
      const sent = JSON.stringify(fake.requests[0]!.body);
      expect(sent).toContain('<file name=\\"list.md\\">\\n# Shopping');
      expect(sent).not.toContain('\\ufeff');
      expect(sent).not.toMatch(/base64/);
    }
    // The user's message is counted with its file's tokens: the prompt held includes the list.
    const [message] = await chat.sql<{ tokens: number }>(`select tokens from public.ai_chat_messages where role = 'user' order by created_at limit 1`);
    expect(message!.tokens).toBeGreaterThan(300);
  });

  it('an image stays an image: a PNG named notes.txt is a PNG', async () => {
    const response = await upload(png(3, 2), 'notes.txt');
    expect(((await response.json()) as { attachment: AttachmentRecord }).attachment).toMatchObject({ mediaType: 'image/png', name: 'notes.txt.png' });
  });
});
