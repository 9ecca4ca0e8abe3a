import { z } from 'zod';
import { MAX_MESSAGE_CHARS, providerNameSchema, withoutNul } from './chat-request';
import { attachmentMediaTypeSchema } from './parts';
import { conversationRecordSchema, messageRecordSchema, usageSummarySchema } from './records';

/**
 * The JSON shapes of the module's REST routes under /api/chat. The hooks parse every answer
 * with these, so a server and client of different versions fail loudly, not subtly.
 */

/** GET /api/chat/conversations → newest first. POST → the created conversation. */
export const conversationListSchema = z.object({ conversations: z.array(conversationRecordSchema) });
export const conversationCreatedSchema = z.object({ conversation: conversationRecordSchema });

export const createConversationBodySchema = z
  .object({
    title: withoutNul(z.string().trim().min(1).max(200)).optional(),
    systemPrompt: withoutNul(z.string().max(MAX_MESSAGE_CHARS)).optional(),
    provider: providerNameSchema.optional(),
    model: withoutNul(z.string().min(1).max(128)).optional(),
  })
  .strict();
export type CreateConversationBody = z.infer<typeof createConversationBodySchema>;

/**
 * GET /api/chat/conversations?before=&limit=&archived=: `before` an ISO time (a previous page's
 * last lastMessageAt; the first page heads with the pinned chats, later ones hold none);
 * `archived=true` lists the Archived view instead.
 */
export const conversationListQuerySchema = z.object({
  before: z.iso.datetime({ offset: true, message: 'not an ISO date-time' }).optional(),
  /** With `before`: the last chat shown, so chats of that very time past it are not skipped. */
  beforeId: z.uuid({ message: 'not a conversation id' }).optional(),
  archived: z.enum(['true', 'false'], { message: 'true or false' }).optional(),
  limit: z.coerce.number().int('not a positive whole number').positive('not a positive whole number').optional(),
});

/**
 * GET /api/chat/conversations/:id → the conversation and its active branch, root first. For each
 * message on the branch that has siblings, `siblings[messageId]` lists all of them (itself
 * included) oldest first: that is the `< 2/3 >` picker.
 */
export const conversationDetailSchema = z.object({
  conversation: conversationRecordSchema,
  messages: z.array(messageRecordSchema),
  siblings: z.record(z.string(), z.array(z.uuid())),
  /**
   * Replies of this conversation still generating (usually none or one), on any server: attach
   * with GET /api/chat/replies/:id/stream. A server of an older version sends none.
   */
  generating: z
    .array(
      z.object({
        id: z.uuid(),
        parentId: z.uuid().nullable(),
        provider: z.string(),
        model: z.string(),
        startedAt: z.string(),
      }),
    )
    .default([]),
});
export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

/**
 * POST /api/chat/replies/:id/stop → 202 `stopping` (a generating reply was signalled; its stream
 * ends within about a second with usage and an `aborted` error) or 200 `finished` (it had ended).
 */
export const replyStopResponseSchema = z.object({ id: z.uuid(), state: z.enum(['stopping', 'finished']) });
export type ReplyStopResponse = z.infer<typeof replyStopResponseSchema>;

/** POST /api/chat/replies/:replyId/approvals/:approvalId `{ approved: boolean }` → the answer as counted. */
export const toolApprovalAnswerResponseSchema = z.object({ id: z.uuid(), state: z.enum(['approved', 'denied']) });
export type ToolApprovalAnswerResponse = z.infer<typeof toolApprovalAnswerResponseSchema>;

/** When a tool's call waits for the person: never, always, or by a rule of its arguments ("sometimes"). */
export const toolApprovalKindSchema = z.enum(['never', 'always', 'sometimes']);

/** One tool the model may be offered, under the name the model sees (`<server>__<tool>` for an MCP one). */
export const listedToolSchema = z.object({ name: z.string(), description: z.string(), approval: toolApprovalKindSchema });
export type ListedTool = z.infer<typeof listedToolSchema>;

/**
 * GET /api/chat/conversations/:id/tools → what the model may use in this conversation: the app's
 * own tools (always on), and each MCP server's with whether it answers now (an unreachable one
 * lists no tools) and whether it is on here. `PATCH /api/chat/conversations/:id
 * { disabledMcpServers }` turns servers off for the conversation.
 */
export const conversationToolsSchema = z.object({
  tools: z.array(listedToolSchema),
  servers: z.array(
    z.object({
      name: z.string(),
      reachable: z.boolean(),
      /** False when turned off for this conversation: its tools are not offered to the model here. */
      enabled: z.boolean(),
      tools: z.array(listedToolSchema),
    }),
  ),
});
export type ConversationTools = z.infer<typeof conversationToolsSchema>;

/** GET /api/chat/usage → what the user spent and what is left under their limits. */
export const usageResponseSchema = z.object({
  usage: usageSummarySchema,
  limits: z.object({
    maxTokensPerDay: z.number().int().positive().nullable(),
    /** Dollars, decimal string. */
    maxCostPerMonth: z.string().nullable(),
    maxRequestsPerMinute: z.number().int().positive().nullable(),
  }),
  remaining: z.object({
    tokensToday: z.number().int().nonnegative().nullable(),
    costThisMonth: z.string().nullable(),
  }),
});
export type UsageResponse = z.infer<typeof usageResponseSchema>;

/** GET /api/chat/config → what this server lets a client pick. */
export const chatConfigSchema = z.object({
  defaultProvider: providerNameSchema,
  providers: z.array(
    z.object({
      name: providerNameSchema,
      /** False when the server has no key for it: the UI says which variable to set. */
      configured: z.boolean(),
      keyVariable: z.string(),
      defaultModel: z.string(),
      models: z.array(z.string()),
      /** What each model reads besides text (a model missing here reads text only); absent from older servers. */
      accepts: z.record(z.string(), z.object({ images: z.boolean(), pdf: z.boolean() })).optional(),
      /** A name and a short note per model ("GPT-5 mini", "fast"); absent from older servers: the id is shown. */
      labels: z.record(z.string(), z.object({ name: z.string(), note: z.string() })).optional(),
    }),
  ),
  allowSystemPrompt: z.boolean(),
  maxMessageChars: z.number().int().positive(),
  /** The most files one message may carry; absent from older servers. */
  maxFilesPerMessage: z.number().int().nonnegative().optional(),
  /** Whether the model may be offered tools (the app's or MCP servers'): the UI's Tools control; absent from older servers. */
  tools: z.boolean().optional(),
});
export type ChatConfig = z.infer<typeof chatConfigSchema>;

/** An uploaded file: POST /api/chat/attachments answers 201 `{ attachment }`. */
export const attachmentRecordSchema = z.object({
  id: z.uuid(),
  mediaType: attachmentMediaTypeSchema,
  name: z.string(),
  size: z.number().int().nonnegative(),
  width: z.number().int().nullable().optional(),
  height: z.number().int().nullable().optional(),
  pages: z.number().int().nullable().optional(),
  conversationId: z.uuid().nullable().optional(),
  messageId: z.uuid().nullable().optional(),
  createdAt: z.string().optional(),
});
export const attachmentUploadedSchema = z.object({ attachment: attachmentRecordSchema });

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
