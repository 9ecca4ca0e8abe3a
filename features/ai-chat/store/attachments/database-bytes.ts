import 'server-only';
import { mapDatabaseError } from '../postgres/map-database-error';
import type { SqlDatabase, SqlExecutor } from '../postgres/sql-database';
import { SAFE_PATH, type AttachmentBytes } from './attachment-bytes';

/**
 * Files' bytes in public.ai_chat_attachment_bytes (migration 20261207000000_ai_chat.sql), beside their rows,
 * so every server on the database reads what any one of them stored. Deleting a file's row
 * deletes its bytes (cascade). The table grants nothing to users, so every statement here runs as
 * `service_role`; the store calls it only after the user's RLS-checked query found the row theirs.
 * A file is at most what the upload route allows (32 MB for a PDF by default, attachment-check.ts):
 * read and written whole, as the providers take it.
 */
export function databaseBytes(sql: SqlDatabase): AttachmentBytes {
  const putWithRow = async (tx: SqlExecutor, storagePath: string, data: Uint8Array) => {
    checkPath(storagePath);
    await asServer(tx);
    const { rows } = await tx.query(
      `insert into public.ai_chat_attachment_bytes (attachment_id, data)
       select a.id, $2::bytea from public.ai_chat_attachments a where a.storage_path = $1
       returning attachment_id`,
      [storagePath, data],
    );
    if (rows.length === 0) throw new Error(`ai-chat: no attachment row at ${storagePath} to hold its bytes`);
  };

  return {
    putWithRow,
    async put(storagePath, data) {
      await run('Saving the file', (tx) => putWithRow(tx, storagePath, data));
    },
    async get(storagePath) {
      checkPath(storagePath);
      return run('Reading the file', async (tx) => {
        await asServer(tx);
        const { rows } = await tx.query<{ data: Uint8Array }>(
          `select b.data from public.ai_chat_attachment_bytes b
             join public.ai_chat_attachments a on a.id = b.attachment_id
            where a.storage_path = $1`,
          [storagePath],
        );
        // node-postgres gives a Buffer (maybe a view of a shared pool): a plain copy of its own.
        return rows[0] ? new Uint8Array(rows[0].data) : null;
      });
    },
    async delete(storagePaths) {
      // Normally gone already with their rows (cascade): deleting again costs one statement.
      if (storagePaths.length === 0) return;
      storagePaths.forEach(checkPath);
      const ids = storagePaths.map((storagePath) => storagePath.split('/')[1]);
      await run('Deleting the file', async (tx) => {
        await asServer(tx);
        await tx.query(`delete from public.ai_chat_attachment_bytes where attachment_id = any($1::uuid[])`, [ids]);
      });
    },
  };

  async function run<T>(context: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    try {
      return await sql.transaction(work);
    } catch (error) {
      throw mapDatabaseError(error, context);
    }
  }
}

/** Transaction-local, as PostgresUserStore switches: the role ends with the transaction. */
async function asServer(tx: SqlExecutor): Promise<void> {
  await tx.query(`select set_config('role', 'service_role', true)`);
}

function checkPath(storagePath: string): void {
  // Paths are ids the server made; anything else never reaches a query.
  if (!SAFE_PATH.test(storagePath)) throw new TypeError(`Not an attachment path: ${storagePath}`);
}
