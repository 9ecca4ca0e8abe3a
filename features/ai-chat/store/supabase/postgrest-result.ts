import 'server-only';
import { mapDatabaseError } from '../postgres/map-database-error';

interface PostgrestResult<T> {
  data: T | null;
  error: unknown;
}

/** Unwraps a PostgREST answer, mapping its SQLSTATE into a ChatError. */
export function unwrap<T>(result: PostgrestResult<T>, context: string): T {
  if (result.error) throw mapDatabaseError(result.error, context);
  return result.data as T;
}
