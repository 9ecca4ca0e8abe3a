import 'server-only';
import { randomUUID } from 'node:crypto';
import { ChatError } from '../../protocol/errors';
import type { AttachmentRecord, NewAttachment, UploadAllowance, UserAttachmentStore } from '../chat-store';
import { isUuid } from '../ids';
import { mapDatabaseError } from '../postgres/map-database-error';
import type { SqlDatabase, SqlExecutor } from '../postgres/sql-database';
import type { AttachmentBytes } from './attachment-bytes';
import {
  ATTACHMENT_BUCKET,
  attachmentRowSchema,
  createAttachmentArgs,
  mapAttachError,
  mapCreateError,
  toRecord,
  type ConversationFiles,
} from './attachment-rows';

type Role = 'authenticated' | 'service_role';

/**
 * A user's files on any Postgres (the embedded PGlite, a local server): the row in
 * public.ai_chat_attachments and a storage.objects row for the bytes, both under the migration's
 * policies, as Supabase Storage keeps them; the bytes themselves in `bytes` (the database's
 * ai_chat_attachment_bytes, a folder, or memory).
 * Bytes are read only after the user's own RLS-checked queries found both rows.
 */
export class PostgresAttachmentStore implements UserAttachmentStore, ConversationFiles {
  constructor(
    private readonly db: SqlDatabase,
    private readonly userId: string,
    private readonly bytes: AttachmentBytes,
  ) {}

  /** One transaction; `as(role)` switches who the next statements run as, as PostgREST would. */
  private async transaction<T>(
    context: string,
    work: (tx: SqlExecutor, as: (role: Role) => Promise<void>) => Promise<T>,
    mapError: (error: unknown) => ChatError = (error) => mapDatabaseError(error, context),
  ): Promise<T> {
    try {
      return await this.db.transaction(async (tx) => {
        const as = async (role: Role) => {
          await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
            role,
            JSON.stringify({ sub: this.userId, role }),
          ]);
        };
        await as('authenticated');
        return work(tx, as);
      });
    } catch (error) {
      throw mapError(error);
    }
  }

  async create(input: NewAttachment, allowance: UploadAllowance = {}): Promise<AttachmentRecord> {
    const id = randomUUID();
    const storagePath = `${this.userId}/${id}`;
    // Bytes in the database go in the rows' own transaction. Bytes elsewhere go first: a row
    // never points at nothing, and if the rows fail, the bytes go again.
    const withRow = this.bytes.putWithRow !== undefined;
    if (!withRow) await this.bytes.put(storagePath, input.data);
    try {
      return await this.transaction('Saving the file', async (tx, as) => {
        // As the user: the storage policy decides the folder, as Storage's own upload does.
        await tx.query(
          `insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
           values ($1, $2, $3::uuid, $3::text, jsonb_build_object('mimetype', $4::text, 'size', $5::bigint))`,
          [ATTACHMENT_BUCKET, storagePath, this.userId, input.mediaType, input.data.byteLength],
        );
        await as('service_role');
        // The quota and the request rate are decided in there, under the user's lock.
        const args = createAttachmentArgs(this.userId, id, input, allowance);
        const { rows } = await tx.query(
          `select * from public.ai_chat_create_attachment(${Object.keys(args).map((key, index) => `${key} => $${index + 1}`).join(', ')})`,
          Object.values(args),
        );
        await this.bytes.putWithRow?.(tx, storagePath, input.data);
        return toRecord(attachmentRowSchema.parse(rows[0]));
      }, (error) => mapCreateError(error, input.data.byteLength, allowance));
    } catch (error) {
      if (!withRow) await this.bytes.delete([storagePath]).catch(() => undefined);
      throw error;
    }
  }

  async get(id: string): Promise<AttachmentRecord | null> {
    if (!isUuid(id)) return null;
    return this.transaction('Reading the file', async (tx) => {
      const { rows } = await tx.query(`select * from public.ai_chat_attachments where id = $1`, [id]);
      return rows[0] ? toRecord(attachmentRowSchema.parse(rows[0])) : null;
    });
  }

  async read(id: string): Promise<Uint8Array | null> {
    if (!isUuid(id)) return null;
    // Both the row's policy and the storage object's must let this user through.
    const storagePath = await this.transaction('Reading the file', async (tx) => {
      const { rows } = await tx.query<{ storage_path: string }>(
        `select a.storage_path from public.ai_chat_attachments a
           join storage.objects o on o.bucket_id = $2 and o.name = a.storage_path
          where a.id = $1`,
        [id, ATTACHMENT_BUCKET],
      );
      return rows[0]?.storage_path ?? null;
    });
    return storagePath ? this.bytes.get(storagePath) : null;
  }

  async signedUrl(): Promise<string | null> {
    return null; // served through the route, which checks the row first
  }

  async remove(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const storagePath = await this.transaction('Deleting the file', async (tx) => {
      const { rows } = await tx.query<{ storage_path: string }>(
        `delete from public.ai_chat_attachments where id = $1 and message_id is null returning storage_path`,
        [id],
      );
      const found = rows[0]?.storage_path;
      if (found) await tx.query(`delete from storage.objects where bucket_id = $1 and name = $2`, [ATTACHMENT_BUCKET, found]);
      return found ?? null;
    });
    if (!storagePath) return false;
    await this.bytes.delete([storagePath]);
    return true;
  }

  async expireUnsent(maxAgeSeconds: number): Promise<number> {
    // As the user, under the policy that lets them delete their own unsent files.
    const paths = await this.transaction('Expiring unsent files', async (tx) => {
      const { rows } = await tx.query<{ storage_path: string }>(
        `delete from public.ai_chat_attachments
          where message_id is null and created_at < now() - make_interval(secs => $1)
          returning storage_path`,
        [maxAgeSeconds],
      );
      const found = rows.map((row) => row.storage_path);
      if (found.length > 0) await tx.query(`delete from storage.objects where bucket_id = $1 and name = any($2::text[])`, [ATTACHMENT_BUCKET, found]);
      return found;
    });
    if (paths.length > 0) await this.bytes.delete(paths);
    return paths.length;
  }

  async attach(ids: readonly string[], target: { conversationId: string; messageId: string }): Promise<AttachmentRecord[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const bad = wanted.find((id) => !isUuid(id));
    if (bad !== undefined) throw notYours(bad);
    if (!isUuid(target.conversationId) || !isUuid(target.messageId)) throw new ChatError('not_found', 'Attaching the files: not found.');
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query(`select set_config('role', 'service_role', true), set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: this.userId, role: 'service_role' }),
        ]);
        const { rows } = await tx.query(
          `select * from public.ai_chat_attach_files(p_user_id => $1, p_ids => $2::uuid[], p_conversation_id => $3, p_message_id => $4)`,
          [this.userId, wanted, target.conversationId, target.messageId],
        );
        return rows.map((row) => toRecord(attachmentRowSchema.parse(row)));
      });
    } catch (error) {
      throw mapAttachError(error);
    }
  }

  /**
   * After the conversation is gone (its rows went with it), the storage objects of this user's
   * that no row names any more are deleted, with their bytes. Objects and rows are written in one
   * transaction, so an upload in progress is never taken for an orphan; a delete that failed
   * before is finished by the next one.
   */
  async deletingConversation(_conversationId: string, deleteConversation: () => Promise<boolean>): Promise<boolean> {
    const deleted = await deleteConversation();
    if (!deleted) return false;
    const orphans = await this.transaction('Deleting the conversation\'s files', async (tx) => {
      const { rows } = await tx.query<{ name: string }>(
        `delete from storage.objects o
          where o.bucket_id = $1 and (storage.foldername(o.name))[1] = $2
            and not exists (select 1 from public.ai_chat_attachments a where a.storage_path = o.name)
          returning o.name`,
        [ATTACHMENT_BUCKET, this.userId],
      );
      return rows.map((row) => row.name);
    });
    await this.bytes.delete(orphans);
    return true;
  }
}

function notYours(id: string): ChatError {
  return new ChatError('bad_request', `attachments: file ${id.slice(0, 64)} is not one of yours to attach.`, {
    field: 'attachments',
    details: { attachment: id.slice(0, 64) },
  });
}
