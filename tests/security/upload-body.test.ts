import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxUploadBodyBytes, resolveAttachmentLimits } from '@/features/ai-chat/server/files/attachment-check';
import { startChatHarness, type ChatHarness } from '../support/chat-harness';

/**
 * Issue 19, finding 3, through the real handler: a body past the upload limit is refused from its
 * declared length before a byte is read, and a chunked one as soon as the bytes read pass the
 * limit; what the client would send after that is never pulled.
 */

const LIMITS = { maxImageBytes: 64 * 1024, maxPdfBytes: 256 * 1024 };
const MAX_BODY = maxUploadBodyBytes(resolveAttachmentLimits(LIMITS));
const CHUNK = 16 * 1024;

/** A body of `total` bytes that counts how many chunks the reader pulled from it. */
function countingBody(total: number) {
  const counter = { pulls: 0, bytes: 0 };
  const head = new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n');
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        counter.pulls += 1;
        const chunk = counter.bytes === 0 ? head : new Uint8Array(Math.min(CHUNK, total - counter.bytes)).fill(0x20);
        counter.bytes += chunk.byteLength;
        controller.enqueue(chunk);
        if (counter.bytes >= total) {
          controller.enqueue(new TextEncoder().encode('\r\n--b--\r\n'));
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

describe('an upload body past the limit', () => {
  let chat: ChatHarness;

  beforeAll(async () => {
    chat = await startChatHarness({ attachments: LIMITS });
  });
  afterAll(async () => {
    await chat?.close();
  });

  const post = (body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
    chat.handler.route(
      new Request('http://localhost/api/chat/attachments', {
        method: 'POST',
        body,
        headers: { 'content-type': 'multipart/form-data; boundary=b', ...headers },
        duplex: 'half',
      } as RequestInit),
    );

  it('is refused 413 from its content-length, without reading a byte of it', async () => {
    const { stream, counter } = countingBody(100 * 1024 * 1024);
    const response = await post(stream, { 'content-length': String(100 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect((await response.json()).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfBytes', max: LIMITS.maxPdfBytes });
    expect(counter.pulls).toBe(0);
  });

  it('sent chunked, is refused 413 once the limit + 1 byte has arrived, and the rest is never pulled', async () => {
    const total = 200 * 1024 * 1024;
    const { stream, counter } = countingBody(total);
    const response = await post(stream);
    expect(response.status).toBe(413);
    expect((await response.json()).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfBytes' });
    // Read up to the first chunk past the limit (one pull may be buffered ahead), not to the end.
    expect(counter.bytes).toBeGreaterThan(MAX_BODY);
    expect(counter.bytes).toBeLessThanOrEqual(MAX_BODY + 2 * CHUNK);
    expect(counter.pulls).toBeLessThan(Math.ceil(MAX_BODY / CHUNK) + 4);
  });

  it('within the limit, chunked, is read whole and parsed', async () => {
    const { stream } = countingBody(64 * 1024);
    const response = await post(stream);
    // A PDF with no page tree: read to its end and judged by its bytes, not refused for its size.
    expect(response.status).toBe(415);
  });
});
