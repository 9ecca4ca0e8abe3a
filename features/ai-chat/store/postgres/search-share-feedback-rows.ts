import 'server-only';
import { z } from 'zod';
import { messagePartsSchema } from '../../protocol/parts';
import type { MessageFeedback } from '../../protocol/feedback';
import type { SearchHit } from '../../protocol/search';
import type { SharedConversation, SharedMessage, ShareLink } from '../../protocol/share';

// The rows of ai_chat_search, ai_chat_shares, ai_chat_share_read and ai_chat_feedback as any
// driver returns them (node-postgres, PGlite, PostgREST): timestamps as Date or string.
const timestamp = z.union([z.date(), z.string()]).transform((value) => new Date(value).toISOString());

export const searchHitRowSchema = z
  .object({
    kind: z.enum(['title', 'message']),
    conversation_id: z.string(),
    conversation_title: z.string(),
    message_id: z.string().nullable(),
    role: z.enum(['user', 'assistant']).nullable(),
    snippet: z.string(),
    rank: z.union([z.number(), z.string()]).transform(Number),
    created_at: timestamp,
  })
  .transform(
    (row): SearchHit => ({
      kind: row.kind,
      conversationId: row.conversation_id,
      conversationTitle: row.conversation_title,
      messageId: row.message_id,
      role: row.role,
      snippet: row.snippet,
      rank: row.rank,
      createdAt: row.created_at,
    }),
  );

export const shareLinkRowSchema = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    show_models: z.boolean(),
    show_files: z.boolean(),
    created_at: timestamp,
  })
  .transform(
    (row): ShareLink => ({
      id: row.id,
      conversationId: row.conversation_id,
      showModels: row.show_models,
      showFiles: row.show_files,
      createdAt: row.created_at,
    }),
  );

/** numeric as text with its scale's trailing zeros: kept exact, printed short. */
function shortDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') || '0' : value;
}

const snapshotMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status: z.enum(['complete', 'partial', 'error']),
  createdAt: timestamp,
  // Parts the current schema cannot read show as the message's text alone, never as a failure.
  parts: z.unknown().transform((parts) => {
    const parsed = messagePartsSchema.safeParse(parts ?? []);
    return parsed.success ? parsed.data : [];
  }),
  model: z.string().nullable().optional().transform((value) => value ?? null),
  tokens: z.number().nullable().optional().transform((value) => value ?? null),
  cost: z.string().nullable().optional().transform((value) => (value == null ? null : shortDecimal(value))),
});

export const sharedConversationRowSchema = z
  .object({
    title: z.string(),
    // PostgREST and the drivers send jsonb parsed; a driver that did not would send text.
    messages: z.union([z.array(z.unknown()), z.string().transform((text) => JSON.parse(text) as unknown[])]),
    show_models: z.boolean(),
    show_files: z.boolean(),
    created_at: timestamp,
  })
  .transform(
    (row): SharedConversation => ({
      title: row.title,
      messages: row.messages.map((message): SharedMessage => snapshotMessageSchema.parse(message)),
      showModels: row.show_models,
      showFiles: row.show_files,
      sharedAt: row.created_at,
    }),
  );

export const feedbackRowSchema = z
  .object({
    message_id: z.string(),
    conversation_id: z.string(),
    rating: z.enum(['up', 'down']).nullable(),
    comment: z.string().nullable(),
    updated_at: timestamp,
  })
  .transform(
    (row): MessageFeedback => ({
      messageId: row.message_id,
      conversationId: row.conversation_id,
      rating: row.rating,
      comment: row.comment,
      updatedAt: row.updated_at,
    }),
  );
