/**
 * The one error family of the module. Every failure that crosses a boundary (HTTP response, SSE
 * event, hook state) is a ChatError with a `code` from a closed union, so callers switch on the
 * code instead of matching strings. Provider and database errors are mapped into it at the edge;
 * `message` is safe to show a user, `cause` is for logs only.
 */

export const CHAT_ERROR_CODES = [
  // The request itself
  'bad_request',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  // The request came too late for what it answers (a tool approval already answered or closed)
  'conflict',
  'usage_limit',
  'content_flagged',
  // An attachment refused: too big, too many, or not a type the providers take (by its bytes)
  'file_too_large',
  'too_many_files',
  'unsupported_file_type',
  // The model provider
  'rate_limited',
  'overloaded',
  'auth',
  'context_length',
  'network',
  'aborted',
  'provider_error',
  // The server generating a reply stopped (its process died) before the reply ended
  'interrupted',
  // The server
  'not_configured',
  'internal',
  'unknown',
] as const;

export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

const HTTP_STATUS: Record<ChatErrorCode, number> = {
  bad_request: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  usage_limit: 429,
  content_flagged: 400,
  file_too_large: 413,
  too_many_files: 400,
  unsupported_file_type: 415,
  rate_limited: 429,
  overloaded: 503,
  auth: 502,
  context_length: 400,
  network: 502,
  aborted: 499,
  provider_error: 502,
  interrupted: 503,
  not_configured: 503,
  internal: 500,
  unknown: 500,
};

export interface ChatErrorOptions {
  /** The underlying error, kept for logs and never sent to a client. */
  cause?: unknown;
  /** The request field at fault, for 4xx validation errors. */
  field?: string;
  /** Seconds after which retrying may succeed (rate limits, usage windows). */
  retryAfterSeconds?: number;
  /**
   * Machine-readable facts a client may act on, sent inside `error` beside code and message
   * (a usage-limit refusal's `limit`, `resetsAt`, `retryable`). Never a cause or a secret.
   */
  details?: ChatErrorDetails;
}

/** Extra JSON fields of an error body; they never override code, message or field. */
export type ChatErrorDetails = Record<string, string | number | boolean | null>;

export class ChatError extends Error {
  readonly code: ChatErrorCode;
  readonly status: number;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  readonly details?: ChatErrorDetails;

  constructor(code: ChatErrorCode, message: string, options: ChatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChatError';
    this.code = code;
    this.status = HTTP_STATUS[code];
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  /** The JSON body of an error response: `{"error":{"code","message"[,"field"][,…details]}}`. */
  toJSON(): { error: { code: ChatErrorCode; message: string; field?: string } & ChatErrorDetails } {
    return {
      error: {
        ...this.details,
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
      },
    };
  }
}

export function isChatError(value: unknown): value is ChatError {
  return value instanceof ChatError;
}

/** The error as a ChatError: itself if it is one, else an internal error keeping it as cause. */
export function asChatError(error: unknown): ChatError {
  return isChatError(error) ? error : new ChatError('internal', 'Something went wrong on our side.', { cause: error });
}

