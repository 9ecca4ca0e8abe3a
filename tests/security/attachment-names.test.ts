import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHandler, type ChatHandler } from '@/features/ai-chat/server/http/chat-handler';
import { attachmentBytesFor } from '@/features/ai-chat/store/attachments/attachment-bytes';
import type { AttachmentRecord } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { SqlReplyRunStore } from '@/features/ai-chat/store/postgres/reply-run-store';
import { fileForm, jpeg, pdf, png } from '../support/attachment-fixtures';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * A file's name is the one thing about it the uploader chooses freely. A polyglot (bytes that are
 * a PNG and an HTML page at once) named `x.html` must not be handed out as `x.html`, and
 * bidirectional controls (U+202E…) must not make `invoice‮gnp.exe` read as `invoiceexe.png`.
 * Through the real handler, as a browser uploads and downloads.
 */

/** Controls, bidi marks and overrides, invisible format characters and line separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** The name a download is saved under: the RFC 5987 `filename*`, else the quoted one. */
function savedName(disposition: string): string {
  const extended = /filename\*=UTF-8''([^;\s]+)/.exec(disposition);
  if (extended) return decodeURIComponent(extended[1]!);
  return /filename="([^"]*)"/.exec(disposition)![1]!;
}

describe.each(databaseKinds())('attachment names on %s', (kind) => {
  let db: TestDatabase;
  let handler: ChatHandler;
  let userId: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    userId = await db.createUser('names@example.test');
    const store = new PostgresUserStore(db.sql, userId, attachmentBytesFor('memory://'));
    handler = createChatHandler({
      store: { forRequest: async () => store, replies: new SqlReplyRunStore(db.sql), close: async () => {} },
      providers: {},
    });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  async function upload(bytes: Uint8Array, name: string): Promise<AttachmentRecord> {
    const encoded = new Response(fileForm(bytes, name));
    const body = new Uint8Array(await encoded.arrayBuffer());
    const response = await handler.route(
      new Request('http://localhost/api/chat/attachments', { method: 'POST', body, headers: { 'content-type': encoded.headers.get('content-type')! } }),
    );
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { attachment: AttachmentRecord }).attachment;
  }
  const download = (id: string) => handler.route(new Request(`http://localhost/api/chat/attachments/${id}`));

  it('a PNG named x.html is stored and served under a name ending in .png, never as x.html', async () => {
    const attachment = await upload(png(4, 4), 'x.html');
    expect(attachment.name).toBe('x.html.png');
    const response = await download(attachment.id);
    expect(response.status).toBe(200);
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition).toBe(`inline; filename="x.html.png"; filename*=UTF-8''x.html.png`);
    expect(savedName(disposition)).toBe('x.html.png');
  });

  it('a name whose extension already matches its type is kept as written, in any case', async () => {
    expect((await upload(png(2, 2), 'Screenshot.PNG')).name).toBe('Screenshot.PNG');
    expect((await upload(jpeg(2, 2), 'holiday.jpeg')).name).toBe('holiday.jpeg');
    expect((await upload(pdf(1), 'report.svg')).name).toBe('report.svg.pdf');
    expect((await upload(jpeg(2, 2), 'photo')).name).toBe('photo.jpg');
  });

  it('bidirectional controls and other invisible characters are stripped from the stored and the served name', async () => {
    const hostile = [
      'invoice\u202egnp.exe', // right-to-left override: would read "invoiceexe.png"
      'a\u2067b\u2069c\u200fd\u061ce.png', // isolates, right-to-left mark, Arabic letter mark
      'soft\u00adhy\u2060phen\u180e.png', // soft hyphen, word joiner, Mongolian vowel separator
      'line\u2028break\u2029here.png', // line and paragraph separators
      'tag\u{e0041}\u{e007f}s\u{1d173}.png', // tag characters, a musical format control
    ];
    for (const name of hostile) {
      const attachment = await upload(png(2, 2), name);
      expect(attachment.name, JSON.stringify(name)).not.toMatch(INVISIBLE);
      expect(attachment.name.endsWith('.png')).toBe(true);
      const disposition = (await download(attachment.id)).headers.get('content-disposition')!;
      expect(savedName(disposition), JSON.stringify(name)).toBe(attachment.name);
      expect(disposition).toMatch(/^inline; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!$&+^`|-]+$/);
    }
    expect((await upload(png(2, 2), 'invoice\u202egnp.exe')).name).toBe('invoicegnp.exe.png');
  });

  it('a name stored before these rules (or written around the upload route) is cleaned when served', async () => {
    const attachment = await upload(png(3, 3), 'plain.png');
    await db.admin('update public.ai_chat_attachments set name = $1 where id = $2', ['evil\u202elmth.html', attachment.id]);
    const response = await download(attachment.id);
    expect(response.status).toBe(200);
    const disposition = response.headers.get('content-disposition')!;
    expect(savedName(disposition)).toBe('evillmth.html.png');
    expect(disposition).not.toMatch(/%E2%80%AE/i);
  });
});
