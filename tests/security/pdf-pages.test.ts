import { deflateSync } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { countPdfPages } from '@/features/ai-chat/server/files/file-sniff';
import type { AttachmentRecord } from '@/features/ai-chat/store/chat-store';
import { escapedPdf, fileForm, objectStreamPdf, pdf } from '../support/attachment-fixtures';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';

/**
 * A PDF's page count holds the 100-page cap and a turn's reservation, so a file must not be able
 * to hide its pages: names written with `#` escapes, a page tree packed in a compressed object
 * stream, a tree that loops or a stream that inflates without end are counted or refused, never
 * taken as "pages unknown".
 */

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('counting a PDF\'s pages', () => {
  it('counts the same pages whether names are written plainly or with # escapes', async () => {
    expect(await countPdfPages(pdf(7))).toBe(7);
    expect(await countPdfPages(escapedPdf(7))).toBe(7);
  });

  it('counts a page tree packed in a compressed object stream behind a cross-reference stream, escaped or not', async () => {
    expect(await countPdfPages(objectStreamPdf(12))).toBe(12);
    expect(await countPdfPages(objectStreamPdf(12, { escaped: true }))).toBe(12);
    const document = await PDFDocument.create();
    for (let i = 0; i < 9; i++) document.addPage();
    expect(await countPdfPages(await document.save({ useObjectStreams: true }))).toBe(9);
  });

  it('finds no count in a file without a page tree, a tree that loops, or an object stream that inflates past its bound', async () => {
    expect(await countPdfPages(latin1('%PDF-1.4\n%%EOF'))).toBeNull();
    const loop = [
      '%PDF-1.4',
      '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
      '3 0 obj << /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >> endobj',
      'trailer << /Root 1 0 R >>',
      '%%EOF',
    ].join('\n');
    expect(await countPdfPages(latin1(loop))).toBeNull();

    // 96 MB of zeros behind 96 KB: a compression bomb in an object stream.
    const bomb = deflateSync(Buffer.alloc(96 * 1024 * 1024));
    const file = Buffer.concat([
      Buffer.from(`%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${bomb.byteLength} >>\nstream\n`, 'latin1'),
      bomb,
      Buffer.from('\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'),
    ]);
    expect(await countPdfPages(new Uint8Array(file))).toBeNull();
  });

  it('stops a parse that runs past its deadline, on a clock that jumps a second an object, and counts nothing', async () => {
    let now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (now += 1000));
    try {
      expect(await countPdfPages(pdf(50))).toBeNull();
    } finally {
      clock.mockRestore();
    }
    expect(await countPdfPages(pdf(50))).toBe(50);
  });
});

describe('a hostile PDF and the server log', () => {
  const withJunk = (count: number, object: (n: number) => string) =>
    latin1(
      '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page >> endobj\n' +
        Array.from({ length: count }, (_, i) => object(i + 10)).join('\n') +
        '\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );

  it('damaged objects and oversized numbers write nothing to the log; past a thousand damaged objects the file is uncountable', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      expect(await countPdfPages(withJunk(200, (n) => `${n} 0 obj << /A 99999999999999999999 /B ] >> endobj`))).toBe(1);
      expect(await countPdfPages(withJunk(1_500, (n) => `${n} 0 obj << /B ] >> endobj`))).toBeNull();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the page cap through the upload route', () => {
  let chat: ChatHarness;

  beforeAll(async () => {
    chat = await startChatHarness();
  });
  afterAll(async () => {
    await chat?.close();
  });
  beforeEach(async () => {
    await chat.sql('truncate public.ai_chat_attachments cascade');
  });

  const upload = async (bytes: Uint8Array, name: string) => {
    const encoded = new Response(fileForm(bytes, name));
    const body = new Uint8Array(await encoded.arrayBuffer());
    return chat.handler.route(
      new Request('http://localhost/api/chat/attachments', { method: 'POST', body, headers: { 'content-type': encoded.headers.get('content-type')! } }),
    );
  };
  const stored = async () => (await chat.sql<{ n: number }>('select count(*)::int as n from public.ai_chat_attachments'))[0]!.n;

  it('a 300-page PDF with escaped names is refused by the 100-page cap, as the plain one is', async () => {
    for (const bytes of [pdf(300), escapedPdf(300), objectStreamPdf(300, { escaped: true })]) {
      const response = await upload(bytes, 'long.pdf');
      expect(response.status).toBe(413);
      expect((await response.json()).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfPages', max: 100, actual: 300 });
    }
    expect(await stored()).toBe(0);
  });

  it('the honest 100-page file is taken with its pages, however its names are written', async () => {
    for (const bytes of [pdf(100), escapedPdf(100), objectStreamPdf(100, { escaped: true })]) {
      const response = await upload(bytes, 'report.pdf');
      expect(response.status).toBe(201);
      expect(((await response.json()) as { attachment: AttachmentRecord }).attachment).toMatchObject({ mediaType: 'application/pdf', pages: 100 });
    }
  });

  it('a PDF whose pages cannot be counted is refused with a clear 4xx, and nothing is stored', async () => {
    const response = await upload(latin1('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'), 'odd.pdf');
    expect(response.status).toBe(415);
    const error = (await response.json()).error;
    expect(error).toMatchObject({ code: 'unsupported_file_type', field: 'file' });
    expect(error.message).toMatch(/pages could not be counted/);
    expect(await stored()).toBe(0);
  });
});
