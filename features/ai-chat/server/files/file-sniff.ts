import 'server-only';
import type { AttachmentMediaType } from '../../protocol/parts';
import { countPdfPages } from './pdf-pages';
import { sniffText, type TextVerdict } from './text-sniff';

export { countPdfPages } from './pdf-pages';

/**
 * What a file is, read from its bytes and never from its name or a declared type: the five
 * formats both providers take, an image's size in pixels from its header, a PDF's page count,
 * or UTF-8 text.
 */
export interface SniffedFile {
  mediaType: AttachmentMediaType;
  width: number | null;
  height: number | null;
  pages: number | null;
}

/**
 * The file's type and dimensions, or null when it is none of PNG, JPEG, GIF, WebP, PDF, UTF-8
 * text (or its header is broken). A PDF's `pages` is null when its page tree cannot be read.
 */
export async function sniffFile(bytes: Uint8Array): Promise<SniffedFile | null> {
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) return sniffText(bytes).text ? { mediaType: 'text/plain', width: null, height: null, pages: null } : null;
  if (mediaType === 'application/pdf') return { mediaType, width: null, height: null, pages: await countPdfPages(bytes) };
  const size = imageSize(mediaType, bytes);
  // A header that names no size is not an image a provider will decode.
  if (!size || size.width <= 0 || size.height <= 0) return null;
  return { mediaType, ...size, pages: null };
}

/** Why bytes with no known signature are not text, for the refusal's words. */
export function textVerdict(bytes: Uint8Array): TextVerdict {
  return sniffText(bytes);
}

/** The binary format by its signature (magic bytes); text has none (see sniffText). */
export function sniffMediaType(bytes: Uint8Array): AttachmentMediaType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  // The signature opens the file: Acrobat tolerates junk before it, the providers need not.
  if (ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  return null;
}

function imageSize(type: AttachmentMediaType, b: Uint8Array): { width: number; height: number } | null {
  if (type === 'image/png') {
    if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return null;
    return { width: be32(b, 16), height: be32(b, 20) };
  }
  if (type === 'image/gif') return b.length < 10 ? null : { width: le16(b, 6), height: le16(b, 8) };
  if (type === 'image/webp') return webpSize(b);
  return jpegSize(b);
}

/** Walks the JPEG's segments to its frame header (SOFn), which holds the size. */
function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: be16(b, i + 5), width: be16(b, i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before any frame
    i += 2 + be16(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 30) return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return null;
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  return null;
}

function startsWith(b: Uint8Array, signature: number[]): boolean {
  return b.length >= signature.length && signature.every((byte, index) => b[index] === byte);
}

function ascii(b: Uint8Array, offset: number, length: number): string {
  if (b.length < offset + length) return '';
  return String.fromCharCode(...b.subarray(offset, offset + length));
}

const be16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const le24 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
