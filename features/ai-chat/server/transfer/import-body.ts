import 'server-only';
import { ChatError } from '../../protocol/errors';
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_JSON_DEPTH,
  conversationExportSchema,
  jsonNestingDepth,
  type ConversationExport,
} from '../../protocol/export';
import { parseWith, readTextCapped } from '../http/http';

/**
 * Reads an import body: at most MAX_IMPORT_BYTES (413 past it, without reading on), nested at
 * most MAX_IMPORT_JSON_DEPTH deep (400), then the export schema. The depth is checked on the raw
 * text in one pass that stops at the limit: everything after it that walks the value (the
 * schema, JSON.stringify, Postgres's jsonb input) recurses, and JSON.parse of 5 MiB of brackets
 * alone takes seconds.
 */
export async function readImportDocument(request: Request): Promise<ConversationExport> {
  const text = await readTextCapped(request, MAX_IMPORT_BYTES);
  if (text.trim().length === 0) throw new ChatError('bad_request', 'The request body is empty: send a JSON object.');
  if (jsonNestingDepth(text, MAX_IMPORT_JSON_DEPTH) > MAX_IMPORT_JSON_DEPTH) {
    throw new ChatError('bad_request', `The file nests arrays or objects deeper than ${MAX_IMPORT_JSON_DEPTH} levels.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ChatError('bad_request', 'The request body is not valid JSON.', { cause });
  }
  return parseWith(conversationExportSchema, raw);
}
