import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { NewAttachment } from '../../store/chat-store';
import { sniffFile, textVerdict } from './file-sniff';

/**
 * What an upload may be. The defaults are the providers' own limits: Anthropic takes images up to
 * 5 MB and 8000 px a side, PDFs up to 32 MB and 100 pages; OpenAI's are looser (images 50 MB a
 * request, PDFs 32 MB), so the stricter one is what works with both.
 */
export interface AttachmentLimits {
  maxImageBytes: number;
  maxPdfBytes: number;
  /** Bytes of one text file (plain text, Markdown, CSV, JSON, source code). */
  maxTextBytes: number;
  /** Files one message may carry (checked by the chat request). */
  maxFilesPerMessage: number;
  maxPdfPages: number;
  /** Pixels on either side of an image. */
  maxImageEdge: number;
  /** Bytes all of one user's files (sent or not) may take; null: no quota. */
  maxStorageBytesPerUser: number | null;
  /** A file never sent with a message is deleted after this many seconds (swept on the user's next upload). */
  unsentFileMaxAgeSeconds: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxImageBytes: 5 * 1024 * 1024,
  maxPdfBytes: 32 * 1024 * 1024,
  // About 250,000 tokens of English: more than most context windows take in one message.
  maxTextBytes: 1024 * 1024,
  maxFilesPerMessage: 10,
  maxPdfPages: 100,
  maxImageEdge: 8000,
  maxStorageBytesPerUser: 200 * 1024 * 1024,
  unsentFileMaxAgeSeconds: 24 * 60 * 60,
};

export function resolveAttachmentLimits(options: Partial<AttachmentLimits> | undefined): AttachmentLimits {
  return { ...DEFAULT_ATTACHMENT_LIMITS, ...options };
}

/** The largest upload body worth reading: the largest file allowed plus room for the form's framing. */
export function maxUploadBodyBytes(limits: AttachmentLimits): number {
  return Math.max(limits.maxImageBytes, limits.maxPdfBytes, limits.maxTextBytes) + 64 * 1024;
}

/**
 * Checks an uploaded file by its bytes against the limits and returns what the store keeps.
 * Refusals are ChatErrors that name the limit (`details.limit`, its value in `details.max`).
 */
export async function checkAttachment(file: { name: string; bytes: Uint8Array }, limits: AttachmentLimits): Promise<NewAttachment> {
  const sniffed = await sniffFile(file.bytes);
  if (!sniffed) throw unsupported(file.bytes);
  const size = file.bytes.byteLength;
  if (sniffed.mediaType === 'text/plain') {
    if (size > limits.maxTextBytes) throw tooLarge('maxTextBytes', limits.maxTextBytes, size, `text files may be at most ${megabytes(limits.maxTextBytes)}`);
  } else if (sniffed.mediaType === 'application/pdf') {
    if (size > limits.maxPdfBytes) throw tooLarge('maxPdfBytes', limits.maxPdfBytes, size, `PDFs may be at most ${megabytes(limits.maxPdfBytes)}`);
    // The page count holds the page cap and a turn's reservation: a PDF that hides it is refused.
    if (sniffed.pages === null) {
      throw new ChatError('unsupported_file_type', 'This PDF\'s pages could not be counted: it may be damaged or encrypted. Save it again as a PDF and retry.', {
        field: 'file',
        details: { limit: 'maxPdfPages', max: limits.maxPdfPages },
      });
    }
    if (sniffed.pages > limits.maxPdfPages) {
      throw new ChatError('file_too_large', `This PDF has ${sniffed.pages} pages; PDFs may have at most ${limits.maxPdfPages}.`, {
        field: 'file',
        details: { limit: 'maxPdfPages', max: limits.maxPdfPages, actual: sniffed.pages },
      });
    }
  } else {
    if (size > limits.maxImageBytes) throw tooLarge('maxImageBytes', limits.maxImageBytes, size, `images may be at most ${megabytes(limits.maxImageBytes)}`);
    const edge = Math.max(sniffed.width ?? 0, sniffed.height ?? 0);
    if (edge > limits.maxImageEdge) {
      throw new ChatError('file_too_large', `This image is ${sniffed.width}×${sniffed.height} px; images may be at most ${limits.maxImageEdge} px a side.`, {
        field: 'file',
        details: { limit: 'maxImageEdge', max: limits.maxImageEdge, actual: edge },
      });
    }
  }
  return {
    mediaType: sniffed.mediaType,
    name: sanitizeFileName(file.name, sniffed.mediaType),
    data: file.bytes,
    width: sniffed.width,
    height: sniffed.height,
    pages: sniffed.pages,
  };
}

const NOT_TEXT_BECAUSE: Record<string, string> = {
  empty: 'it is empty',
  nul: 'it holds NUL bytes, so it is binary',
  'not-utf8': 'it is not valid UTF-8 text',
  binary: 'it holds control characters, so it is binary',
};

/** The refusal of a file of no known kind, saying why it is not text either. */
function unsupported(bytes: Uint8Array): ChatError {
  const verdict = textVerdict(bytes);
  const why = verdict.text ? '' : ` (${NOT_TEXT_BECAUSE[verdict.reason]})`;
  return new ChatError(
    'unsupported_file_type',
    `This file is not a PNG, JPEG, GIF or WebP image, a PDF or a UTF-8 text file${why}; judged by its contents, not its name.`,
    { field: 'file' },
  );
}

/** Too many files for one message: names the limit. */
export function tooManyFiles(count: number, limits: AttachmentLimits): ChatError {
  return new ChatError('too_many_files', `A message may carry at most ${limits.maxFilesPerMessage} files, not ${count}.`, {
    field: 'attachments',
    details: { limit: 'maxFilesPerMessage', max: limits.maxFilesPerMessage, actual: count },
  });
}

function tooLarge(limit: string, max: number, actual: number, rule: string): ChatError {
  return new ChatError('file_too_large', `This file is ${megabytes(actual)}; ${rule}.`, {
    field: 'file',
    details: { limit, max, actual },
  });
}

const EXTENSIONS: Record<NewAttachment['mediaType'], string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};
const MAX_NAME_CHARS = 200;

/** Extensions that already say a type: a name ending otherwise gets the type's own appended. */
const KNOWN_EXTENSIONS: Record<NewAttachment['mediaType'], readonly string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  // Text of any kind: the name says which (and picks the preview's highlighting).
  'text/plain': [
    'txt', 'text', 'md', 'markdown', 'mdx', 'rst', 'adoc', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'yaml', 'yml', 'toml',
    'ini', 'cfg', 'conf', 'env', 'xml', 'html', 'htm', 'css', 'scss', 'svg', 'log', 'sql', 'graphql', 'sh', 'bash', 'zsh',
    'ps1', 'bat', 'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'swift',
    'c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'php', 'pl', 'r', 'lua', 'dart', 'scala', 'ex', 'exs', 'erl', 'hs', 'clj',
    'vue', 'svelte', 'tex', 'diff', 'patch', 'dockerfile', 'makefile', 'gitignore', 'srt', 'vtt',
  ],
};

/**
 * Controls (C0, DEL, C1), format characters (bidi marks, embeddings, overrides and isolates,
 * zero-width and invisible characters, tag characters), line and paragraph separators and lone
 * surrogates: whatever can disguise or reorder an extension, or break a header.
 */
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/**
 * A name safe to store, show and serve: the last path segment only (no `../`), no control,
 * bidirectional or invisible characters nor characters file systems or headers choke on, ending
 * in an extension of the type sniffed from the bytes (`x.html` holding a PNG is `x.html.png`), at
 * most 200 characters with the extension kept; `file.<ext>` when nothing is left. The name is only
 * ever a label: storage paths are ids.
 */
export function sanitizeFileName(raw: string, mediaType: NewAttachment['mediaType']): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .normalize('NFC')
    .replace(INVISIBLE_CHARACTERS, '')
    .replace(/["<>:|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+|\.+$/g, '');
  if (!name) name = `file.${EXTENSIONS[mediaType]}`;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  // A browser or a desktop picks the program by the extension: it must say what the bytes are.
  if (!KNOWN_EXTENSIONS[mediaType].includes(extension)) name = `${name}.${EXTENSIONS[mediaType]}`;
  if ([...name].length > MAX_NAME_CHARS) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = [...name.slice(0, name.length - extension.length)].slice(0, MAX_NAME_CHARS - extension.length).join('') + extension;
  }
  return name;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;
}
