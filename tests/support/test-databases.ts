import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createPostgresChatStore } from '@/features/ai-chat/store/postgres/postgres-chat-store';
import type { SqlDatabase } from '@/features/ai-chat/store/postgres/sql-database';
import { leasePglite } from './pglite-pool';

export const SUPABASE_DIR = path.resolve(__dirname, '../../supabase');

/** A migrated, empty database of one kind, with a superuser handle for setup and inspection. */
export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** The driver behind the store, as the store uses it. */
  sql: SqlDatabase;
  /** Runs SQL as the superuser (setup, inspection): bypasses RLS. */
  admin(sqlText: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Creates a user in auth.users and returns their id. */
  createUser(email?: string): Promise<string>;
  close(): Promise<void>;
}

export type DatabaseKind = TestDatabase['kind'];

/**
 * PGlite always; the local PostgreSQL server too when TEST_DATABASE_URL is set (CI sets it; not
 * DATABASE_URL, which the app itself reads to pick its store).
 */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A database on the local server for a test that needs one of its own: empty, or the migrated template's copy. */
export async function createServerDatabase({ migrated }: { migrated: boolean }): Promise<{ url: string; drop(): Promise<void> }> {
  const template = new URL(process.env.TEST_DATABASE_URL!);
  const name = `ai_chat_test_${randomUUID().replaceAll('-', '')}`;
  const maintenance = new pg.Client({ connectionString: template.toString() });
  await maintenance.connect();
  await maintenance.query(`create database ${name}${migrated ? ` template ${template.pathname.slice(1)}_template` : ''}`);
  await maintenance.end();
  const url = new URL(template);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: template.toString() });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return kind === 'pglite' ? openPglite() : openPostgres();
}

async function openPglite(): Promise<TestDatabase> {
  const { db, release } = await leasePglite(SUPABASE_DIR);
  return wrap('pglite', { transaction: (work) => db.transaction(work), close: release }, async (text, params) =>
    (await db.query<Record<string, unknown>>(text, params)).rows,
  );
}

/**
 * A fresh database per test file, copied from the template that the global setup migrated, so
 * files run in parallel without seeing each other's rows. The suites run on the Postgres store's
 * own pool and transactions (createPostgresChatStore), as the app runs them.
 */
async function openPostgres(): Promise<TestDatabase> {
  const database = await createServerDatabase({ migrated: true });
  // Teardown drops the database WITH (FORCE); a client whose socket is still closing then gets
  // "terminating connection" as an event, not a query error. Query errors still reject.
  const store = createPostgresChatStore({
    connectionString: database.url,
    maxConnections: 8,
    supabaseDir: SUPABASE_DIR,
    onPoolError: () => undefined,
  });
  await store.ready();
  const wrapped = wrap('postgres', store.sql, async (text, params) => (await store.pool.query(text, params)).rows);
  return {
    ...wrapped,
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

function wrap(
  kind: DatabaseKind,
  sql: SqlDatabase,
  admin: TestDatabase['admin'],
): TestDatabase {
  return {
    kind,
    sql,
    admin,
    async createUser(email) {
      const id = randomUUID();
      await admin('insert into auth.users (id, email) values ($1, $2)', [id, email ?? `${id}@example.test`]);
      return id;
    },
    close: () => sql.close(),
  };
}
