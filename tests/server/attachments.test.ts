import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedChatStore, LOCAL_USER } from '@/features/ai-chat/store/embedded/embedded-chat-store';
import type { AttachmentRecord, UserChatStore } from '@/features/ai-chat/store/chat-store';
import { fileForm, gif, jpeg, pdf, png, webp } from '../support/attachment-fixtures';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';
import { pgliteSnapshot } from '../support/pglite-snapshot';
import { SUPABASE_DIR } from '../support/test-databases';

/**
 * File uploads through the real handler on the embedded store: what a person's browser does
 * (upload, look at it, remove it before sending) and what a hostile page or file tries.
 */

const BASE = 'http://localhost/api/chat/attachments';

describe('attachments through the handler', () => {
  let chat: ChatHarness;
  let me: UserChatStore;

  beforeAll(async () => {
    chat = await startChatHarness({ attachments: { maxImageBytes: 64 * 1024, maxPdfBytes: 96 * 1024, maxPdfPages: 5 } });
    me = await chat.store.forUser(LOCAL_USER.id);
  });
  afterAll(async () => {
    await chat?.close();
  });
  beforeEach(async () => {
    await chat.sql('truncate public.ai_chat_attachments, public.ai_chat_messages, public.ai_chat_conversations cascade');
    await chat.sql(`delete from storage.objects`);
  });

  // The form goes as the bytes a browser sends, not as a FormData object: the handler stops
  // reading an oversized body, and Node 24.6+'s undici writes a FormData body from a loop nothing
  // awaits, which then enqueues into the cancelled stream, an unhandled rejection
  // (nodejs/undici#5835). A body from a socket, as in `next start`, has no such loop.
  const upload = async (form: FormData, headers: Record<string, string> = {}) => {
    const encoded = new Response(form);
    const body = new Uint8Array(await encoded.arrayBuffer());
    const type = encoded.headers.get('content-type')!;
    return chat.handler.route(new Request(BASE, { method: 'POST', body, headers: { 'content-type': type, ...headers } }));
  };
  const get = (id: string) => chat.handler.route(new Request(`${BASE}/${id}`));
  const remove = (id: string) => chat.handler.route(new Request(`${BASE}/${id}`, { method: 'DELETE' }));
  const counts = async () => {
    const [row] = await chat.sql<{ rows: number; objects: number }>(
      `select (select count(*)::int from public.ai_chat_attachments) as rows, (select count(*)::int from storage.objects) as objects`,
    );
    return row!;
  };
  async function uploaded(bytes: Uint8Array, name: string): Promise<AttachmentRecord> {
    const response = await upload(fileForm(bytes, name));
    expect(response.status).toBe(201);
    return ((await response.json()) as { attachment: AttachmentRecord }).attachment;
  }

  it('a pasted screenshot comes back byte for byte, typed by its contents, private and never sniffed', async () => {
    const bytes = png(40, 30);
    const attachment = await uploaded(bytes, 'screenshot.png');
    expect(attachment).toMatchObject({
      mediaType: 'image/png',
      name: 'screenshot.png',
      size: bytes.byteLength,
      width: 40,
      height: 30,
      pages: null,
      conversationId: null,
      messageId: null,
    });

    const response = await get(attachment.id);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    expect(response.headers.get('content-disposition')).toMatch(/^inline; filename="screenshot.png"/);
  });

  it('JPEG, GIF, WebP and PDF are told apart by their bytes, whatever they are called, with their size or pages', async () => {
    expect(await uploaded(jpeg(1024, 768), 'photo.bin')).toMatchObject({ mediaType: 'image/jpeg', width: 1024, height: 768 });
    expect(await uploaded(gif(16, 9), 'anim.png')).toMatchObject({ mediaType: 'image/gif', width: 16, height: 9 });
    expect(await uploaded(webp(3000, 2000), 'x')).toMatchObject({ mediaType: 'image/webp', width: 3000, height: 2000 });
    const report = await uploaded(pdf(3), 'report.pdf');
    expect(report).toMatchObject({ mediaType: 'application/pdf', pages: 3, width: null });
    const response = await get(report.id);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('a .png that is really HTML is kept only as plain text (cat.png.txt), served as text/plain never sniffed; binary junk is refused 415', async () => {
    const html = new TextEncoder().encode('<html><script>alert(document.cookie)</script></html>');
    const text = await uploaded(html, 'cat.png');
    expect(text).toMatchObject({ mediaType: 'text/plain', name: 'cat.png.txt' });
    const served = await get(text.id);
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');

    const junk = await upload(fileForm(new Uint8Array([0x89, 0x50, 0x4e, 0x00, 0xff, 0xfe, 0x00, 0x01]), 'cat.png', 'image/png'));
    expect(junk.status).toBe(415);
    expect((await junk.json()).error.code).toBe('unsupported_file_type');
    expect(await counts()).toEqual({ rows: 1, objects: 1 });
  });

  it('an image over the image limit is refused 413, naming maxImageBytes; a PDF over the page limit names maxPdfPages', async () => {
    const big = png(400, 400); // deflates small: pad it past 64 KiB with a trailing chunk-free tail
    const padded = new Uint8Array(70 * 1024);
    padded.set(big);
    const image = await upload(fileForm(padded, 'big.png'));
    expect(image.status).toBe(413);
    const imageError = (await image.json()).error;
    expect(imageError).toMatchObject({ code: 'file_too_large', limit: 'maxImageBytes', max: 64 * 1024 });
    expect(imageError.message).toMatch(/at most 64 KB|at most 0\.1 MB|images may be at most/);

    const pages = await upload(fileForm(pdf(6), 'long.pdf'));
    expect(pages.status).toBe(413);
    expect((await pages.json()).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfPages', max: 5, actual: 6 });
    expect(await counts()).toEqual({ rows: 0, objects: 0 });
  });

  it('a body larger than any allowed file is refused 413 before it is parsed', async () => {
    const huge = new Uint8Array(2 * 1024 * 1024);
    huge.set(pdf(1));
    const response = await upload(fileForm(huge, 'huge.pdf'));
    expect(response.status).toBe(413);
    expect((await response.json()).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfBytes' });
    expect(await counts()).toEqual({ rows: 0, objects: 0 });
  });

  it('two files in one upload are refused 400 too_many_files; a form without a file is a 400', async () => {
    const form = fileForm(png(2, 2), 'a.png');
    form.append('file', new Blob([png(3, 3) as Uint8Array<ArrayBuffer>]), 'b.png');
    const response = await upload(form);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'too_many_files', max: 1 });

    const empty = new FormData();
    empty.append('note', 'no file here');
    expect((await upload(empty)).status).toBe(400);
    expect(await counts()).toEqual({ rows: 0, objects: 0 });
  });

  it('a hostile file name is kept only as a harmless label', async () => {
    const traversal = await uploaded(png(2, 2), '../../../etc/passwd\u0000\u202egnp.exe');
    expect(traversal.name).toBe('passwdgnp.exe.png');
    const windows = await uploaded(png(2, 2), 'C:\\Users\\me\\"evil"<x>.png');
    expect(windows.name).toBe('_evil__x_.png');
    const long = await uploaded(png(2, 2), `${'a'.repeat(5_000)}.png`);
    expect(long.name.length).toBe(200);
    expect(long.name.endsWith('.png')).toBe(true);
    const dots = await uploaded(png(2, 2), '...');
    expect(dots.name).toBe('file.png');
    const response = await get(windows.id);
    expect(response.headers.get('content-disposition')).toBe(`inline; filename="_evil__x_.png"; filename*=UTF-8''_evil__x_.png`);
  });

  it('an unsent file can be removed once; then it is gone, bytes and all', async () => {
    const attachment = await uploaded(png(5, 5), 'oops.png');
    expect((await remove(attachment.id)).status).toBe(204);
    expect((await get(attachment.id)).status).toBe(404);
    expect((await remove(attachment.id)).status).toBe(404);
    expect(await me.attachments.read(attachment.id)).toBeNull();
    expect(await counts()).toEqual({ rows: 0, objects: 0 });
  });

  it('a file sent with a message cannot be removed on its own; deleting its conversation deletes it, bytes and all', async () => {
    const sent = await uploaded(png(8, 8), 'sent.png');
    const unsent = await uploaded(pdf(1), 'draft.pdf');
    const conversation = await me.createConversation({ provider: 'openai', model: 'gpt-4o' });
    const message = await me.appendMessage({ conversationId: conversation.id, parentId: null, role: 'user', content: 'look' });
    const [bound] = await me.attachments.attach([sent.id], { conversationId: conversation.id, messageId: message.id });
    expect(bound).toMatchObject({ id: sent.id, conversationId: conversation.id, messageId: message.id });

    expect((await remove(sent.id)).status).toBe(404);
    expect((await get(sent.id)).status).toBe(200);

    expect((await chat.call('DELETE', `/conversations/${conversation.id}`)).status).toBe(204);
    expect((await get(sent.id)).status).toBe(404);
    expect(await me.attachments.read(sent.id)).toBeNull();
    // The draft was never sent: it is still there.
    expect((await get(unsent.id)).status).toBe(200);
    expect(await counts()).toEqual({ rows: 1, objects: 1 });
  });

  it('an unknown or malformed id answers 404', async () => {
    expect((await get('00000000-0000-4000-8000-00000000abcd')).status).toBe(404);
    expect((await get('..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await remove('not-a-uuid')).status).toBe(404);
  });

  it('the upload route takes only multipart; every other route still takes only JSON', async () => {
    const json = await chat.handler.route(
      new Request(BASE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    );
    expect(json.status).toBe(400);
    const multipartElsewhere = await chat.handler.route(
      new Request('http://localhost/api/chat/conversations', { method: 'POST', body: fileForm(png(2, 2), 'a.png') }),
    );
    expect(multipartElsewhere.status).toBe(415);
    expect((await chat.counts()).conversations).toBe(0);
  });

  it('a cross-site page cannot upload into my files, though a form can send multipart without a preflight', async () => {
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const response = await upload(fileForm(png(2, 2), 'planted.png'), headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    // Reading one of my files from another site is refused too.
    const mine = await uploaded(png(2, 2), 'mine.png');
    const read = await chat.handler.route(new Request(`${BASE}/${mine.id}`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }));
    expect(read.status).toBe(403);
    expect(await counts()).toEqual({ rows: 1, objects: 1 });
  });

  it('my own page uploads with its Origin and Sec-Fetch-Site: same-origin', async () => {
    const response = await upload(fileForm(png(2, 2), 'ok.png'), { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(201);
  });
});

describe('attachments of the embedded store on disk', () => {
  it('keeps the bytes under AI_CHAT_DATA_DIR/attachments/<user>/<id>, and removes them with the file', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ai-chat-files-'));
    // The database in the folder starts migrated (tests/store/embedded.test.ts migrates an empty one).
    const store = createEmbeddedChatStore({ dataDir, supabaseDir: SUPABASE_DIR, loadDataDir: await pgliteSnapshot() });
    try {
      const me = await store.forUser(LOCAL_USER.id);
      const file = await me.attachments.create({ mediaType: 'image/png', name: 'a.png', data: png(3, 3), width: 3, height: 3 });
      const onDisk = path.join(dataDir, 'attachments', LOCAL_USER.id, file.id);
      expect(new Uint8Array(await readFile(onDisk))).toEqual(png(3, 3));
      expect((await stat(onDisk)).mode & 0o077).toBe(0);
      expect(await me.attachments.read(file.id)).toEqual(png(3, 3));
      expect(await me.attachments.remove(file.id)).toBe(true);
      await expect(stat(onDisk)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
