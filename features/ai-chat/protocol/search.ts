import { z } from 'zod';

/**
 * Search across a user's chats: what a query may be, how it becomes words, and what comes back.
 * Nothing typed reaches the database as query syntax: the query is split into words (letters,
 * digits and combining marks), and each word is matched as a word or the start of one.
 */

/** A query longer than this is refused (400): nobody types it, and it would only cost. */
export const MAX_SEARCH_QUERY_CHARS = 500;
/** At most this many words of a query count; a word is cut at this many characters. */
export const MAX_SEARCH_TERMS = 8;
export const MAX_SEARCH_TERM_CHARS = 64;

/** In a snippet, a matching word sits between these two characters (never left in the text). */
export const SNIPPET_MARK_START = '\u0002';
export const SNIPPET_MARK_END = '\u0003';

/**
 * The words of a search query, lower-cased and in order, without repeats: everything that is not
 * a letter, digit or mark separates words (quotes, operators, NUL, control characters), so
 * `"foo" & !bar:*` is the words foo and bar. Empty when the query holds no word.
 */
export function searchTerms(query: string): string[] {
  const words = query.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}\p{M}]+/u);
  const terms: string[] = [];
  for (const word of words) {
    // Cut by code points, so a cut never splits a surrogate pair.
    const term = Array.from(word).slice(0, MAX_SEARCH_TERM_CHARS).join('');
    if (term === '' || terms.includes(term)) continue;
    terms.push(term);
    if (terms.length === MAX_SEARCH_TERMS) break;
  }
  return terms;
}

/** `GET /api/chat/search?q=&limit=` */
export const searchQuerySchema = z.object({
  q: z
    .string({ message: 'required: the words to search for' })
    .max(MAX_SEARCH_QUERY_CHARS, `longer than ${MAX_SEARCH_QUERY_CHARS} characters`),
  limit: z.coerce.number().int('not a whole number from 1 to 50').min(1, 'not a whole number from 1 to 50').max(50, 'not a whole number from 1 to 50').optional(),
});

/** One result: a chat whose title matches (`messageId` null) or a message of any branch. */
export const searchHitSchema = z.object({
  kind: z.enum(['title', 'message']),
  conversationId: z.string(),
  conversationTitle: z.string(),
  messageId: z.string().nullable(),
  role: z.enum(['user', 'assistant']).nullable(),
  /** Text around the match, matching words between SNIPPET_MARK_START and SNIPPET_MARK_END. */
  snippet: z.string(),
  rank: z.number(),
  createdAt: z.string(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

/** `GET /api/chat/search` → best first. */
export const searchResultsSchema = z.object({ results: z.array(searchHitSchema) });
export type SearchResults = z.infer<typeof searchResultsSchema>;

/** A snippet as runs of plain text and marked (matching) text, for rendering as text nodes. */
export function snippetRuns(snippet: string): Array<{ text: string; marked: boolean }> {
  const runs: Array<{ text: string; marked: boolean }> = [];
  let marked = false;
  let text = '';
  for (const char of snippet) {
    if (char === SNIPPET_MARK_START || char === SNIPPET_MARK_END) {
      if (text !== '') runs.push({ text, marked });
      text = '';
      marked = char === SNIPPET_MARK_START;
    } else {
      text += char;
    }
  }
  if (text !== '') runs.push({ text, marked });
  return runs;
}
