import { z } from 'zod';

/** The longest message a user may send, in characters; the input box enforces the same. */
export const MAX_MESSAGE_CHARS = 32_000;
/** Bodies past this are refused before parsing (413): a message plus options fits with room. */
export const MAX_BODY_BYTES = 256 * 1024;

export const providerNameSchema = z.enum(['openai', 'anthropic']);

/** Postgres text cannot hold NUL (U+0000): refused at the edge, naming the field, before any write. */
export const NO_NUL_MESSAGE = 'must not contain NUL characters';
export function withoutNul<S extends z.ZodString>(schema: S): S {
  return schema.refine((value) => !value.includes('\u0000'), NO_NUL_MESSAGE) as S;
}
export type ProviderName = z.infer<typeof providerNameSchema>;

/**
 * POST /api/chat. The client sends only the new message; the server owns the history.
 * Identity is never part of the body: a `userId` is ignored (stripped) like any unknown field.
 */
export const chatRequestSchema = z.object({
  /** Absent only to regenerate: then `parentMessageId` names the user message to answer again. */
  message: withoutNul(
    z.string().min(1, 'must not be empty').max(MAX_MESSAGE_CHARS, `longer than ${MAX_MESSAGE_CHARS} characters`),
  ).optional(),
  conversationId: z.uuid().optional(),
  /** Reply under this message instead of the active leaf: regenerate and edit. */
  parentMessageId: z.uuid().nullable().optional(),
  provider: providerNameSchema.optional(),
  model: withoutNul(z.string().min(1).max(128)).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
  systemPrompt: withoutNul(z.string().max(MAX_MESSAGE_CHARS)).optional(),
});
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

/** PATCH /api/chat/conversations/:id. */
export const conversationPatchSchema = z
  .object({
    title: withoutNul(z.string().trim().min(1).max(200)).optional(),
    systemPrompt: withoutNul(z.string().max(MAX_MESSAGE_CHARS)).nullable().optional(),
    /** Show the branch through this message (sibling navigation). */
    activeMessageId: z.uuid().optional(),
  })
  .strict();
export type ConversationPatchBody = z.infer<typeof conversationPatchSchema>;
