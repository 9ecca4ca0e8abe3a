import 'server-only';
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ChatError } from '../../protocol/errors';
import type { AttachmentRecord, NewAttachment, UploadAllowance, UserAttachmentStore } from '../chat-store';
import { isUuid } from '../ids';
import { mapDatabaseError } from '../postgres/map-database-error';
import { readAllPages, SUPABASE_MAX_ROWS } from '../supabase/read-pages';
import {
  ATTACHMENT_BUCKET,
  attachmentRowSchema,
  createAttachmentArgs,
  mapAttachError,
  mapCreateError,
  toRecord,
  type ConversationFiles,
} from './attachment-rows';

const REMOVE_BATCH = 1000;

/**
 * A user's files on Supabase: rows through PostgREST, bytes in the private Storage bucket.
 * `user` (the request's session) reads rows and objects and deletes unsent files, so RLS on
 * public.ai_chat_attachments and the bucket's policies on storage.objects decide; `service`
 * writes what only the server may (the upload, whose bytes it checked, and the binding to a
 * message), always under the folder of the user Supabase Auth verified.
 */
export class SupabaseAttachmentStore implements UserAttachmentStore, ConversationFiles {
  constructor(
    private readonly user: SupabaseClient,
    private readonly service: SupabaseClient,
    private readonly userId: string,
    /** PostgREST's max-rows: a conversation's files are listed in pages of this many. */
    private readonly pageRows: number = SUPABASE_MAX_ROWS,
  ) {}

  async create(input: NewAttachment, allowance: UploadAllowance = {}): Promise<AttachmentRecord> {
    const id = randomUUID();
    const storagePath = `${this.userId}/${id}`;
    const bucket = this.service.storage.from(ATTACHMENT_BUCKET);
    const uploaded = await bucket.upload(storagePath, input.data, { contentType: input.mediaType, upsert: false });
    if (uploaded.error) throw new ChatError('internal', 'Saving the file failed.', { cause: uploaded.error });
    // The quota and the request rate are decided in there, under the user's lock.
    const { data, error } = await this.service.rpc('ai_chat_create_attachment', createAttachmentArgs(this.userId, id, input, allowance)).single();
    if (error) {
      await bucket.remove([storagePath]).catch(() => undefined);
      throw mapCreateError(error, input.data.byteLength, allowance);
    }
    return toRecord(attachmentRowSchema.parse(data));
  }

  private async row(id: string) {
    if (!isUuid(id)) return null;
    const { data, error } = await this.user.from('ai_chat_attachments').select('*').eq('id', id).maybeSingle();
    if (error) throw mapDatabaseError(error, 'Reading the file');
    return data ? attachmentRowSchema.parse(data) : null;
  }

  async get(id: string): Promise<AttachmentRecord | null> {
    const row = await this.row(id);
    return row ? toRecord(row) : null;
  }

  async read(id: string): Promise<Uint8Array | null> {
    const row = await this.row(id);
    if (!row) return null;
    // With the user's session: the bucket's own policy must agree the object is theirs.
    const { data, error } = await this.user.storage.from(ATTACHMENT_BUCKET).download(row.storagePath);
    if (error) {
      if (isMissing(error)) return null;
      throw new ChatError('internal', 'Reading the file failed.', { cause: error });
    }
    return new Uint8Array(await data.arrayBuffer());
  }

  async signedUrl(id: string, ttlSeconds: number): Promise<string | null> {
    const row = await this.row(id);
    if (!row) return null;
    const { data, error } = await this.user.storage.from(ATTACHMENT_BUCKET).createSignedUrl(row.storagePath, ttlSeconds);
    if (error) {
      if (isMissing(error)) return null;
      throw new ChatError('internal', 'Signing the file\'s URL failed.', { cause: error });
    }
    return data.signedUrl;
  }

  async remove(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { data, error } = await this.user
      .from('ai_chat_attachments')
      .delete()
      .eq('id', id)
      .is('message_id', null)
      .select('storage_path');
    if (error) throw mapDatabaseError(error, 'Deleting the file');
    const paths = ((data ?? []) as { storage_path: string }[]).map((row) => row.storage_path);
    if (paths.length === 0) return false;
    await this.removeObjects(paths);
    return true;
  }

  async expireUnsent(maxAgeSeconds: number): Promise<number> {
    // As the user, under the policy that lets them delete their own unsent files; the cutoff is
    // this server's clock, as PostgREST takes no SQL expression.
    const cutoff = new Date(Date.now() - maxAgeSeconds * 1000).toISOString();
    const { data, error } = await this.user
      .from('ai_chat_attachments')
      .delete()
      .is('message_id', null)
      .lt('created_at', cutoff)
      .select('storage_path');
    if (error) throw mapDatabaseError(error, 'Expiring unsent files');
    const paths = ((data ?? []) as { storage_path: string }[]).map((row) => row.storage_path);
    if (paths.length > 0) await this.removeObjects(paths);
    return paths.length;
  }

  async attach(ids: readonly string[], target: { conversationId: string; messageId: string }): Promise<AttachmentRecord[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const bad = wanted.find((id) => !isUuid(id));
    if (bad !== undefined) {
      throw new ChatError('bad_request', `attachments: file ${bad.slice(0, 64)} is not one of yours to attach.`, {
        field: 'attachments',
        details: { attachment: bad.slice(0, 64) },
      });
    }
    const { data, error } = await this.service.rpc('ai_chat_attach_files', {
      p_user_id: this.userId,
      p_ids: wanted,
      p_conversation_id: target.conversationId,
      p_message_id: target.messageId,
    });
    if (error) throw mapAttachError(error);
    return ((data ?? []) as unknown[]).map((row) => toRecord(attachmentRowSchema.parse(row)));
  }

  /** Lists the conversation's objects first: once it is deleted, its rows (and their paths) are gone. */
  async deletingConversation(conversationId: string, deleteConversation: () => Promise<boolean>): Promise<boolean> {
    const rows = await readAllPages<{ storage_path: string }>(
      (from, to) =>
        this.user
          .from('ai_chat_attachments')
          .select('storage_path')
          .eq('conversation_id', conversationId)
          .order('id', { ascending: true })
          .range(from, to),
      this.pageRows,
      'Deleting the conversation',
    );
    const deleted = await deleteConversation();
    const paths = rows.map((row) => row.storage_path);
    if (deleted && paths.length > 0) await this.removeObjects(paths);
    return deleted;
  }

  /** As the user: the bucket's delete policy confines it to their folder. */
  private async removeObjects(paths: string[]): Promise<void> {
    // Storage deletes at most 1,000 objects a request.
    for (let start = 0; start < paths.length; start += REMOVE_BATCH) {
      const { error } = await this.user.storage.from(ATTACHMENT_BUCKET).remove(paths.slice(start, start + REMOVE_BATCH));
      if (error) throw new ChatError('internal', 'Deleting the file\'s bytes failed.', { cause: error });
    }
  }
}

/** Storage answers a missing or unreadable (by policy) object with 400/404 "not_found". */
function isMissing(error: unknown): boolean {
  const { status, statusCode } = error as { status?: number; statusCode?: string };
  return status === 400 || status === 404 || statusCode === '404' || statusCode === '400';
}
