import { describe, expect, it } from 'vitest';
import { sanitizeFileName } from '@/features/ai-chat/server/files/attachment-check';
import { countPdfPages, sniffFile } from '@/features/ai-chat/server/files/file-sniff';
import { gif, jpeg, objectStreamPdf, pdf, png, webp } from '../support/attachment-fixtures';

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('what a file is, by its bytes', () => {
  it('reads the size of each image format from its header', async () => {
    expect(await sniffFile(png(640, 480))).toEqual({ mediaType: 'image/png', width: 640, height: 480, pages: null });
    expect(await sniffFile(jpeg(1920, 1080))).toMatchObject({ mediaType: 'image/jpeg', width: 1920, height: 1080 });
    expect(await sniffFile(gif(300, 200))).toMatchObject({ mediaType: 'image/gif', width: 300, height: 200 });
    expect(await sniffFile(webp(5000, 10))).toMatchObject({ mediaType: 'image/webp', width: 5000, height: 10 });
  });

  it('finds a progressive JPEG frame after its tables, and a lossy or lossless WebP', async () => {
    const dht = [0xff, 0xc4, 0x00, 0x04, 0x00, 0x00];
    const sof2 = [0xff, 0xc2, 0x00, 0x11, 8, 0x01, 0x00, 0x02, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
    expect(await sniffFile(new Uint8Array([0xff, 0xd8, ...dht, ...sof2, 0xff, 0xd9]))).toMatchObject({ width: 512, height: 256 });

    const lossy = new Uint8Array(30);
    lossy.set(latin1('RIFF\0\0\0\0WEBPVP8 \0\0\0\0'));
    lossy.set([0, 0, 0, 0x9d, 0x01, 0x2a, 100, 0, 50, 0], 20);
    expect(await sniffFile(lossy)).toMatchObject({ mediaType: 'image/webp', width: 100, height: 50 });

    const lossless = new Uint8Array(30);
    lossless.set(latin1('RIFF\0\0\0\0WEBPVP8L\0\0\0\0'));
    const bits = (99 & 0x3fff) | ((49 & 0x3fff) << 14);
    lossless.set([0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (bits >>> 24) & 0xff], 20);
    expect(await sniffFile(lossless)).toMatchObject({ width: 100, height: 50 });
  });

  it('refuses what only looks like a format: a PNG cut before its header, a JPEG with no frame; HTML and SVG are only ever text', async () => {
    expect(await sniffFile(latin1('<!doctype html><script>alert(1)</script>'))).toMatchObject({ mediaType: 'text/plain' });
    expect(await sniffFile(latin1('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toMatchObject({ mediaType: 'text/plain' });
    expect(await sniffFile(png(10, 10).subarray(0, 20))).toBeNull();
    expect(await sniffFile(new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(await sniffFile(new Uint8Array())).toBeNull();
  });

  it('counts PDF pages from the page tree, including one packed in a compressed object stream', async () => {
    expect(await countPdfPages(pdf(7))).toBe(7);
    expect(await countPdfPages(objectStreamPdf(12))).toBe(12);
    expect(await countPdfPages(latin1('%PDF-1.4\n%%EOF'))).toBeNull();
  });
});

describe('file names', () => {
  it('keeps a label and nothing that could steer a path, a header or the eye', () => {
    expect(sanitizeFileName('../../.ssh/id_rsa', 'image/png')).toBe('id_rsa.png');
    expect(sanitizeFileName('a\u0000b\r\nc.pdf', 'application/pdf')).toBe('abc.pdf');
    expect(sanitizeFileName('invoice\u202efdp.exe', 'application/pdf')).toBe('invoicefdp.exe.pdf');
    expect(sanitizeFileName('', 'image/webp')).toBe('file.webp');
    expect(sanitizeFileName('Résumé été.pdf', 'application/pdf')).toBe('Résumé été.pdf');
    const long = sanitizeFileName(`${'é'.repeat(300)}.jpeg`, 'image/jpeg');
    expect([...long].length).toBe(200);
    expect(long.endsWith('.jpeg')).toBe(true);
  });
});
