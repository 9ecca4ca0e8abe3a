import { CHAT_ERROR_CODES, ChatError, type ChatErrorCode } from '../protocol/errors';
import { errorResponseSchema } from '../protocol/rest';

function toCode(code: string): ChatErrorCode {
  return (CHAT_ERROR_CODES as readonly string[]).includes(code) ? (code as ChatErrorCode) : 'unknown';
}

/** A ChatError from an SSE `error` event or an error body's code. */
export function chatErrorFromCode(code: string, message: string): ChatError {
  return new ChatError(toCode(code), message);
}

/** The ChatError a failed response carries (`{"error":{"code","message"}}`), or one made from its status. */
export async function chatErrorFromResponse(response: Response): Promise<ChatError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  try {
    const parsed = errorResponseSchema.safeParse(await response.json());
    if (parsed.success) {
      const { code, message, field } = parsed.data.error;
      return new ChatError(toCode(code), message, { field, retryAfterSeconds });
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
