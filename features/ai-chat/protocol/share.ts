import { z } from 'zod';
import { messagePartsSchema } from './parts';

/**
 * Share links: the owner's view of a link (`ShareLink`) and what anyone holding it sees
 * (`SharedConversation`, a copy of the shown branch taken when it was shared).
 */

/** The owner's link: whether one exists, its id and what it shows. */
export const shareLinkSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  showModels: z.boolean(),
  showFiles: z.boolean(),
  createdAt: z.string(),
});
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** `GET|POST|DELETE /api/chat/conversations/:id/share` → `{ share }` (null: none). */
export const shareStatusSchema = z.object({ share: shareLinkSchema.nullable() });

/** `POST /api/chat/conversations/:id/share`: share (or refresh the copy under the same link). */
export const createShareBodySchema = z
  .object({
    /** Show model names, tokens and costs. Default false. */
    showModels: z.boolean().optional(),
    /** Keep the messages' files. Default false. */
    showFiles: z.boolean().optional(),
  })
  .strict();
export type CreateShareBody = z.infer<typeof createShareBodySchema>;

/** A message as a share shows it: no id, and model, tokens and cost only if the owner chose. */
export const sharedMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status: z.enum(['complete', 'partial', 'error']),
  createdAt: z.string(),
  parts: messagePartsSchema,
  model: z.string().nullable(),
  tokens: z.number().nullable(),
  cost: z.string().nullable(),
});
export type SharedMessage = z.infer<typeof sharedMessageSchema>;

/** What a share link shows: the title and the copied branch, root first. */
export const sharedConversationSchema = z.object({
  title: z.string(),
  messages: z.array(sharedMessageSchema),
  showModels: z.boolean(),
  showFiles: z.boolean(),
  sharedAt: z.string(),
});
export type SharedConversation = z.infer<typeof sharedConversationSchema>;

/** A share id as the database makes them (43 characters of base64url); anything else is unknown. */
export const SHARE_ID_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;
