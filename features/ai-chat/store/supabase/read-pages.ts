import 'server-only';
import { mapDatabaseError } from '../postgres/map-database-error';

/** Hosted Supabase's `max-rows`: the most rows PostgREST answers one request, whatever it asks for. */
export const SUPABASE_MAX_ROWS = 1000;

interface PageResult<T> {
  data: T[] | null;
  error: unknown;
}

/**
 * Every row of a PostgREST read, `pageRows` at a time (`.range(from, to)`), until a short page:
 * PostgREST cuts any answer at its `max-rows` without an error, so one request is never the whole
 * of an unbounded list. The read must be ordered on a unique key, so pages neither repeat nor skip
 * a row; `pageRows` must not exceed the project's max-rows (a smaller cap looks like a last page).
 */
export async function readAllPages<T>(
  page: (from: number, to: number) => PromiseLike<PageResult<T>>,
  pageRows: number,
  context: string,
): Promise<T[]> {
  const rows: T[] = [];
  for (;;) {
    const { data, error } = await page(rows.length, rows.length + pageRows - 1);
    if (error) throw mapDatabaseError(error, context);
    const got = data ?? [];
    for (const row of got) rows.push(row);
    if (got.length < pageRows) return rows;
  }
}
