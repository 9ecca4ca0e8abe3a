import 'server-only';
import { ChatError } from '../../protocol/errors';

/**
 * Maps a Postgres error (from PGlite, node-postgres or PostgREST, which all carry the SQLSTATE
 * in `code`) into a ChatError. Users see what they did wrong, never a SQL message.
 */
export function mapDatabaseError(error: unknown, context: string): ChatError {
  if (error instanceof ChatError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    // Row-level security refused the row: to this user, the conversation does not exist.
    case '42501':
      return new ChatError('not_found', `${context}: not found.`, { cause: error });
    // A parent or active leaf outside the conversation.
    case '23503':
      return new ChatError('not_found', `${context}: the referenced message does not exist in this conversation.`, {
        cause: error,
      });
    case '23505':
      return new ChatError('bad_request', `${context}: that id is already taken.`, { cause: error });
    case '23502':
    case '23514':
    case '22001':
    case '22P02':
    // Input Postgres cannot hold or parse (NUL in text or jsonb, a bad time, a bad argument):
    // the edge schemas refuse these first; this keeps any that slip through a 400, not a 500.
    case '22P05':
    case '22021':
    case '22007':
    case '22008':
    case '22023':
    // A number past its column (a cost over numeric(20, 10), a count over integer).
    case '22003':
      return new ChatError('bad_request', `${context}: a value is missing or out of range.`, { cause: error });
    default:
      return new ChatError('internal', `${context} failed.`, { cause: error });
  }
}
