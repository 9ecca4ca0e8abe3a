import { z } from 'zod';
import { CHAT_ERROR_CODES, ChatError, type ChatErrorCode, type ChatErrorDetails, type ChatErrorOptions } from '../protocol/errors';
import { errorResponseSchema } from '../protocol/rest';
import { isRetryableCode } from './chat-message-view';

function toCode(code: string): ChatErrorCode {
  return (CHAT_ERROR_CODES as readonly string[]).includes(code) ? (code as ChatErrorCode) : 'unknown';
}

export const USAGE_LIMIT_KINDS = ['tokens_per_day', 'cost_per_month', 'requests_per_minute'] as const;
export type UsageLimitKind = (typeof USAGE_LIMIT_KINDS)[number];

/** What a refusal's body says beyond code and message (a usage limit's 429). */
export interface RefusalDetails {
  limit?: UsageLimitKind;
  /** ISO time the limit's window resets. */
  resetsAt?: string;
  /** False when retrying soon cannot succeed: no Retry button then. */
  retryable?: boolean;
}

// Each field on its own: a server that sends one of them malformed still gets the others read.
const refusalDetailsSchema = z.object({
  error: z.object({
    limit: z.enum(USAGE_LIMIT_KINDS).optional().catch(undefined),
    resetsAt: z.iso.datetime({ offset: true }).optional().catch(undefined),
    retryable: z.boolean().optional().catch(undefined),
  }),
});

/** A ChatError from a refused request, carrying the refusal's details for the UI. */
export class RefusedChatError extends ChatError implements RefusalDetails {
  readonly limit?: UsageLimitKind;
  readonly resetsAt?: string;
  readonly retryable?: boolean;

  constructor(code: ChatErrorCode, message: string, options: ChatErrorOptions & RefusalDetails = {}) {
    super(code, message, options);
    this.limit = options.limit;
    this.resetsAt = options.resetsAt;
    this.retryable = options.retryable;
  }
}

/** Whether sending again can help: the server's `retryable` when it said, else by the error's code. */
export function canRetry(error: ChatError): boolean {
  const said = (error as { retryable?: unknown }).retryable ?? (error as { details?: { retryable?: unknown } }).details?.retryable;
  return typeof said === 'boolean' ? said : isRetryableCode(error.code);
}

/** A ChatError from an SSE `error` event or an error body's code. */
export function chatErrorFromCode(code: string, message: string, details?: ChatErrorDetails): ChatError {
  return new ChatError(toCode(code), message, details ? { details } : undefined);
}

/** The ChatError a failed response carries (`{"error":{"code","message",…}}`), or one made from its status. */
export async function chatErrorFromResponse(response: Response): Promise<ChatError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  try {
    const json: unknown = await response.json();
    const parsed = errorResponseSchema.safeParse(json);
    if (parsed.success) {
      const { code, message, field } = parsed.data.error;
      const details = refusalDetailsSchema.safeParse(json);
      const extra = details.success ? withoutUndefined(details.data.error) : {};
      return new RefusedChatError(toCode(code), message, { field, retryAfterSeconds, ...extra });
    }
  } catch {
    // Not JSON (a proxy's error page): fall through to the status.
  }
  const code: ChatErrorCode =
    response.status === 401 ? 'unauthorized'
    : response.status === 403 ? 'forbidden'
    : response.status === 404 ? 'not_found'
    : response.status === 413 ? 'payload_too_large'
    : response.status === 429 ? 'rate_limited'
    : response.status >= 500 ? 'internal'
    : 'unknown';
  return new ChatError(code, `The server answered ${response.status}.`, { retryAfterSeconds });
}

function withoutUndefined(details: RefusalDetails): RefusalDetails {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}

/** Any thrown value as a ChatError the UI can show: fetch's TypeError becomes `network`. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  if (isAbortError(error)) return new ChatError('aborted', 'Stopped.', { cause: error });
  if (error instanceof TypeError) {
    return new ChatError('network', 'The connection was lost. Check your network and try again.', { cause: error });
  }
  return new ChatError('unknown', 'Something went wrong.', { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    ((error as { name: unknown }).name === 'AbortError' || (error as { name: unknown }).name === 'TimeoutError')
  );
}
