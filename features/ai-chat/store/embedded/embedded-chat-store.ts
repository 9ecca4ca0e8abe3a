import 'server-only';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ChatStore, UserChatStore } from '../chat-store';
import { attachmentBytesFor } from '../attachments/attachment-bytes';
import { LOCAL_USER, type UserProfile } from '../local-user';
import { PostgresUserStore } from '../postgres/postgres-user-store';
import { SqlReplyRunStore } from '../postgres/reply-run-store';
import { sqlSharedConversationReader } from '../postgres/postgres-user-search-share-feedback';
import type { SqlDatabase } from '../postgres/sql-database';
import { databaseUserId } from '../user-id';
import { applyMigrations, readMigrationFiles } from './migrations';

export { LOCAL_USER } from '../local-user';

export interface EmbeddedChatStoreOptions {
  /** Folder for the database files; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** The folder holding `local/auth.sql` and `migrations/`; defaults to `<cwd>/supabase`. */
  supabaseDir?: string;
  /**
   * A data folder to start from (PGlite's `loadDataDir`: a `dumpDataDir()` tarball), e.g. tests'
   * migrated snapshot. Migrations still run on it: applied ones are checked and skipped.
   */
  loadDataDir?: Blob;
  /**
   * An open PGlite to use instead of opening one from `dataDir` (yours, with your own tables or
   * extensions beside ours; tests' pooled databases). Migrations run on it as on any other, and
   * `close()` leaves it open: whoever opened it closes it. `dataDir` still names the folder for
   * uploaded files' bytes.
   */
  pglite?: PGlite;
}

export interface EmbeddedChatStore extends ChatStore {
  /**
   * The store as any user (a handler's `authenticate`, tests, scripts): the embedded app itself
   * has one user. A non-UUID id maps to its UUID v5 (store/user-id.ts).
   */
  forUser(userId: string, profile?: UserProfile | string): Promise<UserChatStore>;
  /** The open database, for tests that inspect it as the superuser. */
  database(): Promise<PGlite>;
}

/**
 * The default store when no Supabase project is configured: PGlite (Postgres in WASM) in a local
 * folder, running the same migrations and RLS policies as Supabase. Every request is the local
 * user's: there is no sign-in on a single-user install.
 */
export function createEmbeddedChatStore(options: EmbeddedChatStoreOptions): EmbeddedChatStore {
  const supabaseDir = options.supabaseDir ?? path.join(process.cwd(), 'supabase');
  let opening: Promise<PGlite> | undefined;
  let sql: SqlDatabase | undefined;
  const knownUsers = new Set<string>();
  const attachmentBytes = attachmentBytesFor(options.dataDir);
  // A PGlite the caller gave is theirs to close.
  const closeOwn = (db: PGlite) => (db === options.pglite ? Promise.resolve() : db.close());

  const open = (): Promise<PGlite> => {
    opening ??= (async () => {
      const files = await readMigrationFiles(supabaseDir);
      const inMemory = options.dataDir.startsWith('memory://');
      if (!inMemory) await mkdir(options.dataDir, { recursive: true });
      const db =
        options.pglite ??
        (await PGlite.create({
          dataDir: inMemory ? options.dataDir : path.resolve(options.dataDir),
          ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
        }));
      try {
        await applyMigrations(
          db,
          files,
          inMemory || options.pglite
            ? undefined
            : `Delete the data folder ${path.resolve(options.dataDir)} to start over (it holds only this install's chats).`,
        );
      } catch (error) {
        await closeOwn(db);
        throw error;
      }
      sql = { transaction: (work) => db.transaction(work), close: () => closeOwn(db) };
      return db;
    })();
    opening.catch(() => {
      opening = undefined; // let the next request try again after a fixable failure
    });
    return opening;
  };

  // Reply housekeeping never reopens a closed store: a reply's last checkpoint after close()
  // would boot a new database (seconds of CPU on this thread) only to write into an empty one.
  let closed = false;
  const forUser = async (externalId: string, profile?: UserProfile | string): Promise<UserChatStore> => {
    const userId = databaseUserId(externalId);
    const email = typeof profile === 'string' ? profile : profile?.email;
    closed = false; // a request after close() reopens the store, as it always did
    const db = await open();
    if (!knownUsers.has(userId)) {
      await db.query(`insert into auth.users (id, email) values ($1, $2) on conflict (id) do nothing`, [
        userId,
        email ?? null,
      ]);
      knownUsers.add(userId);
    }
    return new PostgresUserStore(sql!, userId, attachmentBytes);
  };

  // The database opens on first use; reply housekeeping may come first.
  const lazySql: SqlDatabase = {
    transaction: async (work) => {
      if (closed) throw new Error('ai-chat: the embedded store is closed');
      await open();
      return sql!.transaction(work);
    },
    close: async () => undefined,
  };

  return {
    replies: new SqlReplyRunStore(lazySql),
    shares: sqlSharedConversationReader(lazySql),
    forUser,
    database: open,
    forRequest: () => forUser(LOCAL_USER.id, { email: LOCAL_USER.email }),
    async close() {
      closed = true;
      const pending = opening;
      opening = undefined;
      knownUsers.clear();
      const db = await pending?.catch(() => undefined);
      if (db) await closeOwn(db);
    },
  };
}
