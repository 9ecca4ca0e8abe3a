import { z } from 'zod';

/**
 * A reply shorter than this is rarely worth sending (~190 words, a short paragraph or a code
 * snippet): a turn with less room under the limits is refused, and the chat says so before one is
 * written.
 */
export const MIN_USEFUL_REPLY_TOKENS = 256;

/** The longest message a user may send, in characters; the input box enforces the same. */
export const MAX_MESSAGE_CHARS = 32_000;
/** Bodies past this are refused before parsing (413): a message plus options fits with room. */
export const MAX_BODY_BYTES = 256 * 1024;

import { providerNameSchema } from './provider-names';

export { providerNameSchema };

/** Postgres text cannot hold NUL (U+0000): refused at the edge, naming the field, before any write. */
export const NO_NUL_MESSAGE = 'must not contain NUL characters';
export function withoutNul<S extends z.ZodString>(schema: S): S {
  return schema.refine((value) => !value.includes('\u0000'), NO_NUL_MESSAGE) as S;
}
export type ProviderName = z.infer<typeof providerNameSchema>;

/** The schema's own bound on `attachments`, far above any sane limit; the handler's limit is checked after. */
const MAX_ATTACHMENT_IDS = 100;

export const reasoningEffortSchema = z.enum(['minimal', 'low', 'medium', 'high', 'off']);
export type RequestedReasoningEffort = z.infer<typeof reasoningEffortSchema>;

/**
 * POST /api/chat. The client sends only the new message; the server owns the history.
 * Identity is never part of the body: a `userId` is ignored (stripped) like any unknown field.
 * A new message is text, files (`attachments`, uploaded first), or both; a body with neither
 * regenerates the reply to `parentMessageId`.
 */
export const chatRequestSchema = z
  .object({
    /** Absent (with no attachments) only to regenerate: then `parentMessageId` names the user message to answer again. */
    message: withoutNul(z.string().max(MAX_MESSAGE_CHARS, `longer than ${MAX_MESSAGE_CHARS} characters`)).optional(),
    /** Ids of files this user uploaded (POST /api/chat/attachments), sent with the message. */
    attachments: z.array(z.uuid()).max(MAX_ATTACHMENT_IDS, `more than ${MAX_ATTACHMENT_IDS} files`).optional(),
    conversationId: z.uuid().optional(),
    /** Reply under this message instead of the active leaf: regenerate and edit. */
    parentMessageId: z.uuid().nullable().optional(),
    /**
     * Continue this reply (cut by its length limit or stopped): the model goes on from where it
     * stopped and its words join the same message. With `conversationId`, without a message.
     */
    continueMessageId: z.uuid().optional(),
    provider: providerNameSchema.optional(),
    model: withoutNul(z.string().min(1).max(128)).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().max(1_000_000).optional(),
    systemPrompt: withoutNul(z.string().max(MAX_MESSAGE_CHARS)).optional(),
    /** How hard a reasoning model thinks; 'off' turns thinking off. Absent: the model's default. */
    reasoningEffort: reasoningEffortSchema.optional(),
  })
  .superRefine((body, ctx) => {
    // Text may be empty only when files carry the message.
    if (body.message === '' && (body.attachments?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'must not be empty' });
    }
    if (body.continueMessageId !== undefined) {
      if (!body.conversationId) ctx.addIssue({ code: 'custom', path: ['conversationId'], message: 'required with continueMessageId' });
      if (body.message !== undefined || (body.attachments?.length ?? 0) > 0 || body.parentMessageId !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['continueMessageId'], message: 'goes alone: no message, files or parentMessageId' });
      }
    }
  });
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

/** PATCH /api/chat/conversations/:id. */
export const conversationPatchSchema = z
  .object({
    title: withoutNul(z.string().trim().min(1).max(200)).optional(),
    systemPrompt: withoutNul(z.string().max(MAX_MESSAGE_CHARS)).nullable().optional(),
    /** Show the branch through this message (sibling navigation). */
    activeMessageId: z.uuid().optional(),
    /** Pin (head the list) or unpin. */
    pinned: z.boolean().optional(),
    /** Archive (only in the Archived view) or restore. */
    archived: z.boolean().optional(),
    /**
     * The MCP servers turned off for this conversation, all of them (an empty list turns every
     * one back on): names of the servers GET …/tools lists; any other name is a 400.
     */
    disabledMcpServers: z
      .array(withoutNul(z.string().min(1).max(64)), 'a list of MCP server names')
      .max(64, 'more than 64 servers')
      .optional(),
  })
  .strict();
export type ConversationPatchBody = z.infer<typeof conversationPatchSchema>;
