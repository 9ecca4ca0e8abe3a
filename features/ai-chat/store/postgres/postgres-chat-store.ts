import 'server-only';
import path from 'node:path';
import pg from 'pg';
import { ChatError } from '../../protocol/errors';
import type { AttachmentBytes } from '../attachments/attachment-bytes';
import { databaseBytes } from '../attachments/database-bytes';
import type { ChatStore, UserChatStore } from '../chat-store';
import { LOCAL_USER, splitAuthenticatedUser, type Authenticate, type UserProfile } from '../local-user';
import { databaseUserId } from '../user-id';
import { pgDatabase } from './pg-database';
import { migratePostgres } from './postgres-migrations';
import { PostgresUserStore } from './postgres-user-store';
import { SqlReplyRunStore } from './reply-run-store';
import { sqlSharedConversationReader } from './postgres-user-search-share-feedback';
import { runStatements, type SqlDatabase } from './sql-database';

export interface PostgresChatStoreOptions {
  /** postgres://… of any PostgreSQL: Supabase (direct or pooled), Neon, RDS, self-hosted. */
  connectionString?: string;
  /** A pool of your own instead (its `max`, TLS and timeouts are yours); not ended by close(). */
  pool?: pg.Pool;
  /** Who each request's user is, from your sign-in (docs/sign-in.md); used by `forRequest`. */
  authenticate?: Authenticate;
  /** Serve every request as the one local user (a single-user install, load tests). */
  localUser?: boolean;
  /**
   * Apply the module's migrations on first use, under an advisory lock (and, on a database that
   * is not Supabase's, the auth shim `supabase/local/*.sql` first). Default false.
   */
  migrate?: boolean;
  /**
   * Whether this is a Supabase project's database (Supabase owns `auth` and `storage` there: the
   * shim is never applied and `auth.users` never written). Unset: detected from Supabase's own
   * roles (`supabase_auth_admin`).
   */
  supabase?: boolean;
  /** Pool size when the store makes the pool. Default 10. */
  maxConnections?: number;
  /** The folder holding `local/` and `migrations/`; defaults to `<cwd>/supabase`. */
  supabaseDir?: string;
  /**
   * Where uploaded files' bytes live. Default: in the database (public.ai_chat_attachment_bytes),
   * so every server on it reads them; `attachmentBytesFor(folder)` keeps them on this server's disk.
   */
  attachmentBytes?: AttachmentBytes;
  /** A dropped idle connection and other pool errors; the pool replaces the connection itself. */
  onPoolError?: (error: Error) => void;
}

/** What the store learnt about its database on first use. */
export interface PostgresDatabaseFacts {
  supabase: boolean;
  /** Migration files applied by this store's first use (empty when they already were, or `migrate` is off). */
  applied: string[];
}

export interface PostgresChatStore extends ChatStore {
  /** The store as this user; a non-UUID id (Clerk, Auth.js) maps to its UUID v5 (store/user-id.ts). */
  forUser(userId: string, profile?: UserProfile): Promise<UserChatStore>;
  /** Checks (and with `migrate`, migrates) the database; every other method waits for it. */
  ready(): Promise<PostgresDatabaseFacts>;
  /** The store's transactions, as its user stores run them (tests run the RLS suites on it). */
  readonly sql: SqlDatabase;
  readonly pool: pg.Pool;
}

/** Users whose auth.users row this process has ensured; bounded so a big user base stays cheap. */
const KNOWN_USERS_MAX = 10_000;

/**
 * The chat store on any PostgreSQL through node-postgres: every user operation runs in one
 * transaction as role `authenticated` with the user's JWT claims (`set_config(…, true)`), the
 * server's writes as `service_role` through the migration's functions, exactly as the embedded
 * store and Supabase's PostgREST run them, so the same RLS policies decide.
 */
export function createPostgresChatStore(options: PostgresChatStoreOptions = {}): PostgresChatStore {
  if (!options.pool && !options.connectionString) {
    throw new ChatError('not_configured', 'createPostgresChatStore needs a connectionString (DATABASE_URL) or a pool.');
  }
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      application_name: 'ai-chat',
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
    });
  const onPoolError =
    options.onPoolError ?? ((error: Error) => console.warn(`[ai-chat] a database connection failed and was dropped: ${error.message}`));
  const sql = pgDatabase(pool, { ownsPool: !options.pool, onError: onPoolError });
  const supabaseDir = options.supabaseDir ?? path.join(process.cwd(), 'supabase');
  const attachmentBytes = options.attachmentBytes ?? databaseBytes(sql);
  const knownUsers = new Set<string>();

  let opening: Promise<PostgresDatabaseFacts> | undefined;
  const ready = (): Promise<PostgresDatabaseFacts> => {
    opening ??= open(pool, sql, { ...options, supabaseDir });
    opening.catch(() => {
      opening = undefined; // the next request tries again once the database is fixed
    });
    return opening;
  };

  const forUser = async (externalId: string, profile: UserProfile = {}): Promise<UserChatStore> => {
    const userId = databaseUserId(externalId);
    const facts = await ready();
    // On plain Postgres the shim's auth.users stands in for Supabase Auth's; on Supabase that
    // table is Supabase Auth's own, and its users are already there.
    if (!facts.supabase && !knownUsers.has(userId)) {
      await sql.transaction((tx) =>
        tx.query(`insert into auth.users (id, email) values ($1, $2) on conflict (id) do nothing`, [userId, profile.email ?? null]),
      );
      if (knownUsers.size >= KNOWN_USERS_MAX) knownUsers.clear();
      knownUsers.add(userId);
    }
    return new PostgresUserStore(sql, userId, attachmentBytes);
  };

  // Reply housekeeping (checkpoints, stop polling, the sweeper) may come before any user: it
  // waits for the same first-use check as they do.
  let closed = false;
  const checkedSql: SqlDatabase = {
    transaction: async (work) => {
      if (closed) throw new Error('ai-chat: the Postgres store is closed');
      await ready();
      return sql.transaction(work);
    },
    statements: async (list) => {
      if (closed) throw new Error('ai-chat: the Postgres store is closed');
      await ready();
      return runStatements(sql, list);
    },
    close: async () => undefined,
  };

  return {
    sql,
    pool,
    replies: new SqlReplyRunStore(checkedSql),
    shares: sqlSharedConversationReader(checkedSql),
    ready,
    forUser,
    async forRequest(request) {
      if (options.authenticate) {
        const user = await options.authenticate(request);
        if (!user) return null;
        const { id, profile } = splitAuthenticatedUser(user);
        return forUser(id, profile);
      }
      if (options.localUser) return forUser(LOCAL_USER.id, { email: LOCAL_USER.email });
      throw new ChatError(
        'not_configured',
        'The Postgres store does not know who is signed in. Pass `authenticate` to createChatHandler ' +
          '(or to createPostgresChatStore), see docs/sign-in.md; or, for a single-user install, set AI_CHAT_AUTH=local-user.',
      );
    },
    async close() {
      closed = true;
      opening = undefined;
      knownUsers.clear();
      await sql.close();
    },
  };
}

const FACTS_SQL = `
  select exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') as supabase,
         to_regclass('public.ai_chat_conversations') is not null as migrated,
         (select count(*) from pg_roles where rolname in ('authenticated', 'service_role'))::int as roles,
         coalesce((select bool_and(pg_has_role(current_user, oid, 'member'))
                     from pg_roles where rolname in ('authenticated', 'service_role')), false) as "canSwitch",
         current_user as "user"`;

interface Facts {
  supabase: boolean;
  migrated: boolean;
  roles: number;
  canSwitch: boolean;
  user: string;
}

async function open(
  pool: pg.Pool,
  sql: SqlDatabase,
  options: PostgresChatStoreOptions & { supabaseDir: string },
): Promise<PostgresDatabaseFacts> {
  const read = async () => (await sql.transaction((tx) => tx.query<Facts>(FACTS_SQL))).rows[0]!;
  let facts = await read();
  if (facts.supabase && options.supabase === false) {
    // The shim would replace Supabase's auth functions: never, whatever the option says.
    throw new ChatError('not_configured', 'This database has Supabase\'s roles (supabase_auth_admin): it is a Supabase project\'s. Leave `supabase` unset or true.');
  }
  const supabase = options.supabase ?? facts.supabase;
  let applied: string[] = [];
  if (options.migrate) {
    applied = await migratePostgres(pool, { supabaseDir: options.supabaseDir, authShim: !supabase });
    facts = await read();
  }
  if (!facts.migrated) {
    throw new ChatError(
      'not_configured',
      'The database has no ai-chat tables. Apply supabase/migrations/*_ai_chat*.sql: `supabase db push` on Supabase, ' +
        'or set AI_CHAT_DATABASE_MIGRATE=1 (`migrate: true`) to let the store apply them (with the auth shim on plain PostgreSQL).',
    );
  }
  if (facts.roles < 2 || !facts.canSwitch) {
    throw new ChatError(
      'not_configured',
      `The database user "${facts.user}" cannot switch to the roles authenticated and service_role, so row-level security ` +
        `cannot run as the user. As an administrator: grant anon, authenticated, service_role to "${facts.user}";`,
    );
  }
  return { supabase, applied };
}
