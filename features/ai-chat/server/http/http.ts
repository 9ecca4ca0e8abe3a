import 'server-only';
import { z } from 'zod';
import { asChatError, ChatError } from '../../protocol/errors';

/**
 * What every API response says besides its content: its type is not to be sniffed into another
 * (a JSON string holding HTML stays JSON), and opened as a page it loads nothing and is never framed.
 */
export const API_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;

/** The headers a streamed reply needs to reach the browser unbuffered (proxies, nginx, CDNs). */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
  ...API_SECURITY_HEADERS,
} as const;

/** A JSON response. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('cache-control', 'no-store');
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) headers.set(name, value);
  return new Response(JSON.stringify(body), { ...init, headers });
}

/**
 * The response for any failure: `{"error":{"code","message"}}` with the error's status. Errors
 * that are not ChatErrors are bugs: logged with their cause, shown as a plain internal error.
 * Expected refusals (a missing key, a provider outage) are the client's to show, not log noise.
 */
export function errorResponse(error: unknown, log: (error: unknown) => void = console.error): Response {
  const chatError = asChatError(error);
  if (chatError.code === 'internal' || chatError.code === 'unknown') log(chatError.cause ?? chatError);
  const headers = new Headers();
  if (chatError.retryAfterSeconds !== undefined) headers.set('retry-after', String(chatError.retryAfterSeconds));
  return json(chatError.toJSON(), { status: chatError.status, headers });
}

/**
 * Reads and validates a JSON body without trusting its declared size: past `maxBytes` it stops
 * reading and refuses with 413, so a huge body costs neither memory nor a database write.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes: number): Promise<z.infer<S>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const text = await readTextCapped(request, maxBytes);
  let raw: unknown;
  try {
    raw = text.length === 0 ? undefined : JSON.parse(text);
  } catch (cause) {
    throw new ChatError('bad_request', 'The request body is not valid JSON.', { cause });
  }
  if (raw === undefined) throw new ChatError('bad_request', 'The request body is empty: send a JSON object.');
  return parseWith(schema, raw);
}

/** Validates `raw` against `schema`; the error names the first field at fault. */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  // An over-long message is a size problem: 413, as a too-large body is.
  const code = issue.code === 'too_big' && field === 'message' ? 'payload_too_large' : 'bad_request';
  const where = field ? `${field}: ` : '';
  throw new ChatError(code, `${where}${issue.message}`, { field, cause: parsed.error });
}

/** The body as text, refusing with 413 past `maxBytes` (declared or read) without reading on. */
export async function readTextCapped(request: Request, maxBytes: number): Promise<string> {
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(maxBytes: number): ChatError {
  return new ChatError('payload_too_large', `The request body is larger than ${Math.round(maxBytes / 1024)} KiB.`);
}
