import 'server-only';

/**
 * Whether bytes are text a model can read: UTF-8 (a byte order mark allowed), no NUL byte, and
 * almost no control characters besides tab, line breaks and form feed. Judged by the bytes alone:
 * a binary file named `notes.txt` is not text, a Markdown file named `notes` is.
 */
export type TextVerdict = { text: true } | { text: false; reason: 'empty' | 'nul' | 'not-utf8' | 'binary' };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One control character in this many is allowed (an escape in a log file), more is binary. */
const CONTROL_RATIO = 100;

export function sniffText(bytes: Uint8Array): TextVerdict {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (bytes.length - bom === 0) return { text: false, reason: 'empty' };
  // NUL never appears in text, and Postgres text cannot hold it.
  if (bytes.indexOf(0) !== -1) return { text: false, reason: 'nul' };
  let controls = 0;
  for (let i = bom; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) || byte === 0x7f) controls += 1;
  }
  if (controls * CONTROL_RATIO > bytes.length - bom) return { text: false, reason: 'binary' };
  try {
    strictUtf8.decode(bytes);
  } catch {
    return { text: false, reason: 'not-utf8' };
  }
  return { text: true };
}
