import { z } from 'zod';
import { messagePartsSchema } from './parts';

/**
 * The records the server hands to clients (REST and hooks) and the store hands to the server.
 * Money is a decimal string ("0.0012500000"), never a float: sums stay exact.
 */

export const messageRoleSchema = z.enum(['system', 'user', 'assistant', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const messageStatusSchema = z.enum(['complete', 'partial', 'error']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

export const decimalSchema = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string');

export const messageRecordSchema = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  parentId: z.uuid().nullable(),
  role: messageRoleSchema,
  content: z.string(),
  status: messageStatusSchema,
  provider: z.string().nullable(),
  model: z.string().nullable(),
  tokens: z.number().int().nonnegative().nullable(),
  cost: decimalSchema.nullable(),
  toolCalls: z.unknown().nullable(),
  toolResults: z.unknown().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /**
   * What the message is, in order (see parts.ts). Null for a message saved before parts existed
   * (read it as its `content`); absent from servers older than parts.
   */
  parts: messagePartsSchema.nullable().optional(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type MessageRecord = z.infer<typeof messageRecordSchema>;

export const titleSourceSchema = z.enum(['first-message', 'model', 'user', 'import']);
export type TitleSource = z.infer<typeof titleSourceSchema>;

export const conversationRecordSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  systemPrompt: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  summary: z.string().nullable(),
  summaryThroughMessageId: z.uuid().nullable(),
  activeLeafId: z.uuid().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  /**
   * When the last message was written (the creation time before any): the list's order, so a
   * rename does not move a chat. Every server of this version sends it; older ones did not.
   */
  lastMessageAt: z.iso.datetime({ offset: true }).optional(),
  /** Where the title came from; a model title never replaces a 'user' or 'import' one. Absent from older servers. */
  titleSource: titleSourceSchema.optional(),
  /** When it was pinned (pinned chats head the list); null when not. Absent from older servers. */
  pinnedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** When it was archived (shown only in the Archived view); null when not. */
  archivedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** The MCP servers turned off for this conversation (GET …/tools lists them). Absent from older servers. */
  disabledMcpServers: z.array(z.string()).optional(),
});
export type ConversationRecord = z.infer<typeof conversationRecordSchema>;

/** What was spent (settled), and apart from it what replies in progress hold. */
export const usageSummarySchema = z.object({
  tokensToday: z.number().int().nonnegative(),
  costToday: decimalSchema,
  tokensThisMonth: z.number().int().nonnegative(),
  costThisMonth: decimalSchema,
  requestsThisMonth: z.number().int().nonnegative(),
  /**
   * The most replies in progress today may still spend (their holds): not spent yet, but held
   * against the limits. Absent from servers before these fields: none then.
   */
  tokensInProgress: z.number().int().nonnegative().default(0),
  /** The dollars those holds stand for, this month. */
  costInProgress: decimalSchema.default('0'),
});
export type UsageSummary = z.infer<typeof usageSummarySchema>;
