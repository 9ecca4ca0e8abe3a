import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { AttachmentRecord, UserChatStore } from '../../store/chat-store';
import { checkAttachment, maxUploadBodyBytes, sanitizeFileName, type AttachmentLimits } from './attachment-check';
import { limitsFor, type ResolvedHandlerOptions } from '../http/handler-options';
import { json } from '../http/http';

/** How long a signed Storage URL lives: long enough to load, too short to pass around. */
const SIGNED_URL_SECONDS = 60;

/**
 * `POST attachments` (multipart/form-data, one `file` field) → 201 `{attachment}`;
 * `GET attachments/:id` → the bytes (or, on Supabase, a 302 to a 60 s signed URL);
 * `DELETE attachments/:id` → 204 for a file not yet sent. Another user's file answers 404, as a
 * missing one does.
 */
export async function routeAttachments(
  request: Request,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  segments: readonly string[],
): Promise<Response> {
  const method = request.method.toUpperCase();
  if (segments.length === 0) {
    return method === 'POST' ? upload(request, user, options) : notAllowed('POST');
  }
  if (segments.length === 1) {
    const id = segments[0]!;
    if (method === 'GET') return serve(user, id);
    if (method === 'DELETE') {
      if (!(await user.attachments.remove(id))) throw notFound();
      return new Response(null, { status: 204 });
    }
    return notAllowed('GET, DELETE');
  }
  throw new ChatError('not_found', 'No such route.');
}

async function upload(request: Request, user: UserChatStore, options: ResolvedHandlerOptions): Promise<Response> {
  const limits = options.attachments;
  const contentType = request.headers.get('content-type') ?? '';
  if (contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'multipart/form-data') {
    throw new ChatError('bad_request', 'Send the file as multipart/form-data, in a field named "file".', { field: 'file' });
  }
  // Capped before parsing: a body past the largest file allowed is never buffered whole.
  const body = await readBytesCapped(request, maxUploadBodyBytes(limits), limits);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch (cause) {
    throw new ChatError('bad_request', 'The upload is not a valid multipart/form-data body.', { cause, field: 'file' });
  }
  const files = form.getAll('file').filter((value): value is File => typeof value !== 'string');
  if (files.length === 0) throw new ChatError('bad_request', 'file: attach one file in a field named "file".', { field: 'file' });
  if (files.length > 1) {
    throw new ChatError('too_many_files', 'Upload one file per request (send several requests for several files).', {
      field: 'file',
      details: { limit: 'filesPerUpload', max: 1, actual: files.length },
    });
  }
  const file = files[0]!;
  const checked = await checkAttachment({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, limits);
  // Unsent files past their age go first (no cron to run: each upload sweeps its user's), so
  // they no longer count against the quota this upload must fit.
  await user.attachments.expireUnsent(limits.unsentFileMaxAgeSeconds);
  const { maxRequestsPerMinute } = await limitsFor(options, user.userId);
  const attachment = await user.attachments.create(checked, {
    maxStorageBytes: limits.maxStorageBytesPerUser,
    maxRequestsPerMinute: maxRequestsPerMinute ?? null,
  });
  return json({ attachment }, { status: 201 });
}

async function serve(user: UserChatStore, id: string): Promise<Response> {
  const record = await user.attachments.get(id);
  if (!record) throw notFound();
  const signed = await user.attachments.signedUrl(id, SIGNED_URL_SECONDS);
  if (signed) {
    return new Response(null, { status: 302, headers: { location: signed, 'cache-control': 'private, no-store' } });
  }
  const bytes = await user.attachments.read(id);
  if (!bytes) throw notFound();
  // The stores hand out plain ArrayBuffer-backed bytes (never shared memory).
  const body = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
  return new Response(body, { status: 200, headers: fileHeaders(record, bytes.byteLength) });
}

/**
 * The type the server found in the bytes, never sniffed again by the browser; private to this
 * user's browser cache; a PDF downloads rather than opening on this origin, and nothing served
 * here may run a script should a browser render it as a page.
 */
function fileHeaders(record: AttachmentRecord, length: number): Headers {
  const disposition = record.mediaType === 'application/pdf' ? 'attachment' : 'inline';
  return new Headers({
    'content-type': record.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : record.mediaType,
    'content-length': String(length),
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, max-age=300',
    // Cleaned again on the way out: a row written before these rules, or around the upload route.
    'content-disposition': `${disposition}; ${dispositionFileName(sanitizeFileName(record.name, record.mediaType))}`,
    'content-security-policy': "default-src 'none'; sandbox",
    'cross-origin-resource-policy': 'same-origin',
  });
}

/** `filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266), safe whatever the name. */
export function dispositionFileName(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

async function readBytesCapped(request: Request, maxBytes: number, limits: AttachmentLimits): Promise<Uint8Array<ArrayBuffer>> {
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw bodyTooLarge(limits);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limits);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function bodyTooLarge(limits: AttachmentLimits): ChatError {
  const largest = Math.max(limits.maxImageBytes, limits.maxPdfBytes);
  const limit = largest === limits.maxPdfBytes ? 'maxPdfBytes' : 'maxImageBytes';
  return new ChatError('file_too_large', `This upload is larger than any file allowed here (${Math.round(largest / (1024 * 1024))} MB).`, {
    field: 'file',
    details: { limit, max: largest },
  });
}

function notFound(): ChatError {
  return new ChatError('not_found', 'File not found.');
}

function notAllowed(allow: string): Response {
  return json(
    { error: { code: 'bad_request', message: `Method not allowed here. Allowed: ${allow}.` } },
    { status: 405, headers: { allow } },
  );
}
