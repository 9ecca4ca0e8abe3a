import 'server-only';
import { ChatError } from '../../protocol/errors';
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_JSON_DEPTH,
  conversationExportSchema,
  jsonNestingDepth,
  type ConversationExport,
} from '../../protocol/export';
import { readTextCapped } from '../http/http';
import { describeImportProblem } from './import-problem';

/**
 * Reads an import body: at most MAX_IMPORT_BYTES (413 past it, without reading on), nested at
 * most MAX_IMPORT_JSON_DEPTH deep (400), then the export schema. The depth is checked on the raw
 * text in one pass that stops at the limit: everything after it that walks the value (the
 * schema, JSON.stringify, Postgres's jsonb input) recurses, and JSON.parse of 5 MiB of brackets
 * alone takes seconds.
 */
export async function readImportDocument(request: Request): Promise<ConversationExport> {
  const text = await readTextCapped(request, MAX_IMPORT_BYTES);
  if (text.trim().length === 0) throw new ChatError('bad_request', 'This file is empty. Choose a .json file made with Export.');
  if (jsonNestingDepth(text, MAX_IMPORT_JSON_DEPTH) > MAX_IMPORT_JSON_DEPTH) {
    throw new ChatError('bad_request', `This file nests lists or objects deeper than ${MAX_IMPORT_JSON_DEPTH} levels: it is not an export of this app.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ChatError('bad_request', 'This file is not JSON: it may be damaged, or not an export. Choose a .json file made with Export.', { cause });
  }
  const parsed = conversationExportSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ChatError('bad_request', describeImportProblem(issue, raw), { field: issue.path.join('.') || undefined, cause: parsed.error });
}
