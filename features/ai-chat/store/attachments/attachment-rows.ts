import 'server-only';
import { z } from 'zod';
import { ChatError } from '../../protocol/errors';
import { attachmentMediaTypeSchema } from '../../protocol/parts';
import type { AttachmentRecord, UploadAllowance } from '../chat-store';
import { mapDatabaseError } from '../postgres/map-database-error';

/** The Storage bucket of ai-chat's files (created by the attachments migration). */
export const ATTACHMENT_BUCKET = 'ai-chat-attachments';

const timestamp = z.union([z.date(), z.string()]).transform((value) => new Date(value).toISOString());
const int = z.union([z.string(), z.number(), z.bigint()]).transform((value) => Number(value));

/** A row of public.ai_chat_attachments, with its storage path kept for the store. */
export const attachmentRowSchema = z
  .object({
    id: z.string(),
    conversation_id: z.string().nullable(),
    message_id: z.string().nullable(),
    media_type: attachmentMediaTypeSchema,
    name: z.string(),
    size_bytes: int,
    width: z.number().nullable(),
    height: z.number().nullable(),
    pages: z.number().nullable(),
    storage_path: z.string(),
    created_at: timestamp,
  })
  .transform((row): AttachmentRecord & { storagePath: string } => ({
    id: row.id,
    mediaType: row.media_type,
    name: row.name,
    size: row.size_bytes,
    width: row.width,
    height: row.height,
    pages: row.pages,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    createdAt: row.created_at,
    storagePath: row.storage_path,
  }));

/** The record a client sees: without the storage path. */
export function toRecord(row: AttachmentRecord & { storagePath?: string }): AttachmentRecord {
  return {
    id: row.id,
    mediaType: row.mediaType,
    name: row.name,
    size: row.size,
    width: row.width,
    height: row.height,
    pages: row.pages,
    conversationId: row.conversationId,
    messageId: row.messageId,
    createdAt: row.createdAt,
  };
}

/** `ai_chat_create_attachment`'s arguments. */
export function createAttachmentArgs(
  userId: string,
  id: string,
  input: { mediaType: string; name: string; data: Uint8Array; width?: number | null; height?: number | null; pages?: number | null },
  allowance: UploadAllowance = {},
) {
  return {
    p_user_id: userId,
    p_id: id,
    p_media_type: input.mediaType,
    p_name: input.name,
    p_size_bytes: input.data.byteLength,
    p_width: input.width ?? null,
    p_height: input.height ?? null,
    p_pages: input.pages ?? null,
    p_max_storage_bytes: allowance.maxStorageBytes ?? null,
    p_max_requests_per_minute: allowance.maxRequestsPerMinute ?? null,
  };
}

/**
 * `ai_chat_create_attachment` refuses an upload past the storage quota with SQLSTATE AC413 (the
 * bytes already used in DETAIL) and one past the request rate with AC429 (seconds to wait in
 * DETAIL): a 413 naming the quota and what is used, and the 429 a chat turn gets.
 */
export function mapCreateError(error: unknown, size: number, allowance: UploadAllowance): ChatError {
  const { code, detail, details } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; detail?: unknown; details?: unknown };
  // node-postgres and PGlite call it `detail`, PostgREST `details`.
  const facts = Number(typeof detail === 'string' ? detail : typeof details === 'string' ? details : NaN);
  if (code === 'AC413' && allowance.maxStorageBytes != null) {
    const max = allowance.maxStorageBytes;
    const used = Number.isFinite(facts) ? facts : 0;
    return new ChatError(
      'payload_too_large',
      `Your files take ${megabytes(used)} of your ${megabytes(max)} storage quota, and this file (${megabytes(size)}) does not fit. Remove unsent files or delete conversations with files to make room.`,
      { field: 'file', cause: error, details: { limit: 'maxStorageBytes', max, used, actual: size } },
    );
  }
  if (code === 'AC429') {
    // As api/limit-refusal words a chat turn's: the same limit, counting both.
    const wait = Math.max(1, Math.ceil(Number.isFinite(facts) ? facts : 60));
    return new ChatError('usage_limit', `Too many messages and uploads in a minute. Try again in ${wait} s.`, {
      cause: error,
      retryAfterSeconds: wait,
      details: { limit: 'requests_per_minute', resetsAt: new Date(Date.now() + wait * 1000).toISOString(), retryable: true },
    });
  }
  return mapDatabaseError(error, 'Saving the file');
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * `ai_chat_attach_files` names the file it refused in the error's hint (SQLSTATE 42501): that
 * becomes a 400 naming it; a message not in the user's conversation stays a 404.
 */
export function mapAttachError(error: unknown): ChatError {
  const { code, hint } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; hint?: unknown };
  if (code === '42501' && typeof hint === 'string' && hint) {
    return new ChatError('bad_request', `attachments: file ${hint} is not one of yours to attach.`, {
      field: 'attachments',
      cause: error,
      details: { attachment: hint },
    });
  }
  return mapDatabaseError(error, 'Attaching the files');
}

/** Deletes a conversation's files after the conversation itself: what each store's files need. */
export interface ConversationFiles {
  /** Runs `deleteConversation` (which cascades the rows), then deletes the files' bytes. */
  deletingConversation(conversationId: string, deleteConversation: () => Promise<boolean>): Promise<boolean>;
}
