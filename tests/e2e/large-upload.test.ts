import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { baseUrl } from './support/journey';

/**
 * Issue 19, finding 3, against `next start`: the documented 32 MB PDF limit holds end to end
 * (Next's proxy would cut any body it sees at 10 MB), and a body past the limit is refused while
 * it is still arriving rather than after it has been read to its end.
 */

const base = new URL(baseUrl);
const MB = 1024 * 1024;
const BOUNDARY = '----ai-chat-large-upload';

/** A one-page PDF about `size` bytes long: the page's content stream carries the bulk. */
function largePdf(size: number): Buffer {
  const filler = size - 400;
  const head = Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
      `3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n4 0 obj << /Length ${filler} >>\nstream\n`,
    'latin1',
  );
  const tail = Buffer.from('\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(filler, 0x20), tail]);
}

function multipart(file: Buffer, name: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`, 'latin1'),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`, 'latin1'),
  ]);
}

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client had handed to the socket when the answer's head arrived. */
  sentWhenAnswered: number;
}

/**
 * POSTs to the upload route as the app's own page, writing `total` body bytes (from `chunk`) one
 * chunk at a time and only while no answer has come: chunked when `declaredLength` is absent.
 */
function post(chunk: (offset: number) => Buffer, total: number, declaredLength?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: number | null = null;
    const req = httpRequest({
      host: base.hostname,
      port: base.port,
      method: 'POST',
      path: '/api/chat/attachments',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'sec-fetch-site': 'same-origin',
        origin: base.origin,
        ...(declaredLength === undefined ? {} : { 'content-length': String(declaredLength) }),
      },
    });
    req.on('response', (res) => {
      answered = sent;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), sentWhenAnswered: answered! });
        req.destroy();
      });
    });
    req.on('error', (error) => (answered === null ? reject(error) : undefined));
    const pump = () => {
      while (answered === null && sent < total) {
        const next = chunk(sent);
        sent += next.byteLength;
        if (!req.write(next)) return void req.once('drain', pump);
      }
      if (answered === null) req.end();
    };
    pump();
  });
}

describe('large uploads against next start', () => {
  it('a 30 MB PDF, the size the limits promise, is taken whole', async () => {
    const file = largePdf(30 * MB);
    expect(file.byteLength).toBeGreaterThan(29.9 * MB);
    const body = multipart(file, 'scan.pdf');
    const answer = await post((offset) => body.subarray(offset, offset + MB), body.byteLength, body.byteLength);
    expect(answer.status, answer.body).toBe(201);
    expect(JSON.parse(answer.body).attachment).toMatchObject({ mediaType: 'application/pdf', pages: 1, size: file.byteLength });
  }, 120_000);

  it('a 200 MB chunked body is refused 413 long before its end', async () => {
    const head = multipart(Buffer.alloc(0), 'huge.pdf').subarray(0, 120);
    const filler = Buffer.alloc(MB, 0x20);
    const answer = await post((offset) => (offset === 0 ? head : filler), 200 * MB);
    expect(answer.status, answer.body).toBe(413);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'file_too_large', limit: 'maxPdfBytes' });
    // The limit (32 MB and the form's framing) plus what the sockets' buffers hold in flight.
    expect(answer.sentWhenAnswered).toBeLessThan(64 * MB);
  }, 120_000);
});
