import { deflateSync } from 'node:zlib';

/** Small real files of each kind the upload route takes, built byte by byte. */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function chunk(type: string, data: Uint8Array): number[] {
  const typed = new Uint8Array([...Buffer.from(type, 'latin1'), ...data]);
  return [...be32(data.length), ...typed, ...be32(crc32(typed))];
}

/** A valid PNG, `width` × `height`: one grey, or each pixel's colour from `pixel`. */
export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number] = () => [0x80, 0x80, 0x80]): Uint8Array {
  const ihdr = new Uint8Array([...be32(width), ...be32(height), 8, 2, 0, 0, 0]);
  const stride = 1 + width * 3;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * stride + 1 + x * 3);
  }
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ...chunk('IHDR', ihdr),
    ...chunk('IDAT', new Uint8Array(deflateSync(raw))),
    ...chunk('IEND', new Uint8Array()),
  ]);
}

/** A JPEG's opening: SOI, a JFIF APP0 segment, then the frame header naming its size. */
export function jpeg(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

export function gif(width: number, height: number): Uint8Array {
  return new Uint8Array([...Buffer.from('GIF89a', 'latin1'), width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0, 0x3b]);
}

/** An extended-format WebP header (VP8X) naming its canvas size. */
export function webp(width: number, height: number): Uint8Array {
  const le24 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
  const vp8x = [...Buffer.from('VP8X', 'latin1'), 10, 0, 0, 0, 0, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)];
  const body = [...Buffer.from('WEBP', 'latin1'), ...vp8x];
  return new Uint8Array([...Buffer.from('RIFF', 'latin1'), body.length & 0xff, (body.length >> 8) & 0xff, 0, 0, ...body]);
}

/** A PDF with `pages` empty pages. */
export function pdf(pages: number): Uint8Array {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const objects = [
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    `2 0 obj << /Type /Pages /Kids [${kids}] /Count ${pages} >> endobj`,
    ...Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj`),
  ];
  return new Uint8Array(Buffer.from(`%PDF-1.4\n${objects.join('\n')}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1'));
}

/** A form with one `file` field, as a browser's FormData would send it. */
export function fileForm(bytes: Uint8Array, name: string, type = 'application/octet-stream'): FormData {
  const form = new FormData();
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
  return form;
}

/**
 * A PDF with `pages` empty pages whose names are written with `#` escapes, as the PDF syntax allows
 * (`/P#61ges` is `/Pages`): what a reader sees is the same file as `pdf(pages)`.
 */
export function escapedPdf(pages: number): Uint8Array {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const objects = [
    '1 0 obj << /#54ype /C#61talog /P#61ges 2 0 R >> endobj',
    `2 0 obj << /Typ#65 /P#61ges /K#69ds [${kids}] /C#6Funt ${pages} >> endobj`,
    ...Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj << /Typ#65 /P#61#67#65 /P#61rent 2 0 R /MediaBox [0 0 612 792] >> endobj`),
  ];
  return new Uint8Array(Buffer.from(`%PDF-1.4\n${objects.join('\n')}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1'));
}

/**
 * A PDF 1.5 whose catalog and page tree are packed in one compressed object stream, found through
 * a cross-reference stream, with names escaped or not: the layout modern writers produce.
 */
export function objectStreamPdf(pages: number, { escaped = false }: { escaped?: boolean } = {}): Uint8Array {
  const name = (plain: string, escape: string) => (escaped ? escape : plain);
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const packed = [
    `<< ${name('/Type /Catalog', '/#54ype /C#61talog')} /Pages 2 0 R >>`,
    `<< ${name('/Type /Pages', '/Typ#65 /P#61ges')} /Kids [${kids}] /Count ${pages} >>`,
    ...Array.from({ length: pages }, () => `<< ${name('/Type /Page', '/Typ#65 /P#61ge')} /Parent 2 0 R /MediaBox [0 0 612 792] >>`),
  ];
  const offsets: number[] = [];
  let body = '';
  for (const object of packed) {
    offsets.push(body.length);
    body += `${object}\n`;
  }
  const header = packed.map((_, i) => `${i + 1} ${offsets[i]}`).join(' ') + '\n';
  const stream = deflateSync(Buffer.from(header + body, 'latin1'));
  const objStmNumber = packed.length + 1;
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const at = () => parts.reduce((n, part) => n + part.byteLength, 0);
  const objStmOffset = at();
  parts.push(
    Buffer.from(`${objStmNumber} 0 obj\n<< /Type /ObjStm /N ${packed.length} /First ${header.length} /Filter /FlateDecode /Length ${stream.byteLength} >>\nstream\n`, 'latin1'),
    stream,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  );
  // The cross-reference stream: type 1 (in the file) for the object stream and itself, type 2
  // (compressed: stream number, index) for every packed object; fields 1, 4 and 2 bytes wide.
  const xrefNumber = objStmNumber + 1;
  const xrefOffset = at();
  const rows: number[][] = [[0, 0, 0xffff]];
  packed.forEach((_, i) => rows.push([2, objStmNumber, i]));
  rows.push([1, objStmOffset, 0], [1, xrefOffset, 0]);
  const table = Buffer.from(rows.flatMap(([type, a, b]) => [type!, ...be32(a!), (b! >> 8) & 0xff, b! & 0xff]));
  const xref = deflateSync(table);
  parts.push(
    Buffer.from(`${xrefNumber} 0 obj\n<< /Type /XRef /Size ${xrefNumber + 1} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length ${xref.byteLength} >>\nstream\n`, 'latin1'),
    xref,
    Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'),
  );
  return new Uint8Array(Buffer.concat(parts));
}
