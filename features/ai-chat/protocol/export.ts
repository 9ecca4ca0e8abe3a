import { z } from 'zod';
import { messagePartsSchema } from './parts';
import { messageRoleSchema, messageStatusSchema } from './records';

/**
 * The file a conversation is exported to and imported from: every message of every branch, linked
 * by `parentId`, so branches survive the trip. Ids inside the file only link its messages to each
 * other: an import gives everything fresh ids and the importer as owner.
 *
 * Fields a hand-written or older file may leave out default to what the store would write.
 */

export const CONVERSATION_EXPORT_FORMAT = 'ai-chat.conversation';
export const CONVERSATION_EXPORT_VERSION = 1;
/** Import bodies past this are refused with 413 before parsing. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** The most messages one import may hold (all written in one database call). */
export const MAX_IMPORT_MESSAGES = 5_000;
/**
 * The deepest nesting of arrays and objects an import file may have, the document's own levels
 * included: checked on the raw text, without recursing, before anything parses or walks it.
 */
export const MAX_IMPORT_JSON_DEPTH = 64;

/** `GET …/export?format=` */
export const exportFormatSchema = z.enum(['json', 'markdown']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

// Postgres text and jsonb cannot hold NUL: refuse it here, with the field, not halfway through a write.
const hasNul = (value: string): boolean => value.includes('\u0000');
const NO_NUL = 'must not contain NUL characters';

/** A string of at most `max` characters as Postgres counts them (code points, not UTF-16 units). */
function text(max?: number) {
  const base = z.string().refine((value) => !hasNul(value), NO_NUL);
  return max === undefined ? base : base.refine((value) => [...value].length <= max, `longer than ${max} characters`);
}

/**
 * Whether a JSON value holds a real NUL in any string or key. The value is walked, not searched
 * as JSON text: there the six characters `\u0000` of a string that merely says so are escaped
 * as `\\u0000`, which a substring search took for a NUL. Iterative: the file's nesting was
 * bounded before it parsed, but a stack is no place to trust it.
 */
function holdsNul(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (hasNul(value)) return true;
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (hasNul(key)) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** Any JSON value the store can keep as jsonb. */
const jsonValue = z.unknown().refine((value) => !holdsNul(value), NO_NUL);

/**
 * Fits the columns' numeric(20, 10): up to ten whole digits, with decimals Postgres rounds to ten
 * places, so 9999999999.99999999995 and up would round to 10^10 and overflow (SQLSTATE 22003).
 */
const moneySchema = z
  .string()
  .regex(/^\d{1,10}(\.\d+)?$/, 'a non-negative decimal string under 10^10')
  .refine((value) => !/^9{10}\.9{10}[5-9]/.test(value), 'a non-negative decimal string under 10^10');

/** An integer column's range (tokens are `integer`). */
const INT_MAX = 2_147_483_647;

/** A message's id within the file; any unique string, since an import never keeps it. */
const localIdSchema = text(128).pipe(z.string().min(1));
/**
 * An ISO time a timestamptz holds and means the same by: a real calendar day in years 1 to 9999
 * (Postgres reads year 0 as 1 BC; JavaScript cannot date a day that does not exist).
 */
const isoTime = z.iso
  .datetime({ offset: true })
  .refine((value) => Number(value.slice(0, 4)) >= 1 && Number.isFinite(Date.parse(value)), 'a time between the years 1 and 9999');

export const exportedMessageSchema = z.object({
  id: localIdSchema,
  /** Null for a root message; otherwise the `id` of another message in the same file. */
  parentId: localIdSchema.nullable(),
  role: messageRoleSchema,
  content: text(),
  status: messageStatusSchema.default('complete'),
  provider: text(64).nullable().default(null),
  model: text(128).nullable().default(null),
  tokens: z.number().int().nonnegative().max(INT_MAX).nullable().default(null),
  /** Dollars, decimal string. */
  cost: moneySchema.nullable().default(null),
  toolCalls: jsonValue.nullable().default(null),
  toolResults: jsonValue.nullable().default(null),
  metadata: z.record(z.string(), z.unknown()).refine((value) => !holdsNul(value), NO_NUL).default({}),
  /**
   * What the message is, in order (protocol/parts). Null or absent in files from before parts:
   * the message is then its content. An import keeps no provider secret and no file of these.
   */
  parts: messagePartsSchema.refine((value) => !holdsNul(value), NO_NUL).nullable().optional(),
  createdAt: isoTime,
  /** The owner's thumbs on a reply (and comment), when they gave one. An import does not restore it. */
  feedback: z
    .object({ rating: z.enum(['up', 'down']), comment: text(1000).nullable().default(null) })
    .nullable()
    .optional(),
});
export type ExportedMessage = z.infer<typeof exportedMessageSchema>;

export const exportedConversationSchema = z.object({
  title: text(200).pipe(z.string().trim().min(1, 'must not be empty')),
  systemPrompt: text(32_000).nullable().default(null),
  provider: text(64).pipe(z.string().min(1)),
  model: text(128).pipe(z.string().min(1)),
  summary: text().nullable().default(null),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** The leaf of the branch on show, an `id` from `messages`; null for an empty conversation. */
  activeLeafId: localIdSchema.nullable().default(null),
});
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;

export const conversationExportSchema = z
  .object({
    format: z.literal(CONVERSATION_EXPORT_FORMAT),
    version: z.literal(CONVERSATION_EXPORT_VERSION),
    exportedAt: isoTime,
    conversation: exportedConversationSchema,
    /** Every message of every branch, oldest first. */
    messages: z.array(exportedMessageSchema).max(MAX_IMPORT_MESSAGES, `more than ${MAX_IMPORT_MESSAGES} messages`),
  })
  .superRefine((document, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const problem = treeProblem(document.messages);
    if (problem) issue(['messages', problem.index, problem.field], problem.message);
    else if (document.conversation.activeLeafId !== null && !document.messages.some((m) => m.id === document.conversation.activeLeafId)) {
      issue(['conversation', 'activeLeafId'], 'names no message in this file');
    }
  });
export type ConversationExport = z.infer<typeof conversationExportSchema>;

/**
 * The first reason the messages' parent links are not a forest within the file: a repeated id,
 * a parent that is not in the file, or a cycle. Null when every message leads up to a root.
 */
export function treeProblem(
  messages: readonly { id: string; parentId: string | null }[],
): { index: number; field: 'id' | 'parentId'; message: string } | null {
  const indexOf = new Map<string, number>();
  for (const [index, message] of messages.entries()) {
    const first = indexOf.get(message.id);
    if (first !== undefined) return { index, field: 'id', message: `repeats the id of messages.${first}` };
    indexOf.set(message.id, index);
  }
  const parentIndex: (number | null)[] = [];
  for (const [index, message] of messages.entries()) {
    if (message.parentId === null) {
      parentIndex.push(null);
      continue;
    }
    const parent = indexOf.get(message.parentId);
    if (parent === undefined) return { index, field: 'parentId', message: 'names no message in this file' };
    parentIndex.push(parent);
  }
  // Walk up from each message; meeting the walk's own path again is a cycle. Iterative, so a
  // long thread cannot overflow the stack.
  const ROOTED = 2;
  const ON_PATH = 1;
  const state = new Uint8Array(messages.length);
  for (let start = 0; start < messages.length; start++) {
    const path: number[] = [];
    let at: number | null = start;
    while (at !== null && state[at] === 0) {
      state[at] = ON_PATH;
      path.push(at);
      at = parentIndex[at]!;
    }
    if (at !== null && state[at] === ON_PATH) return { index: at, field: 'parentId', message: 'makes a cycle of parent links' };
    for (const index of path) state[index] = ROOTED;
  }
  return null;
}

/**
 * How deeply arrays and objects nest in a JSON text, found in one pass without recursion, and
 * stopping as soon as it passes `limit`: a hostile file cannot overflow a stack here or later.
 */
export function jsonNestingDepth(json: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let at = 0; at < json.length; at++) {
    const char = json.charCodeAt(at);
    if (inString) {
      if (char === 0x5c /* \\ */) at++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}
