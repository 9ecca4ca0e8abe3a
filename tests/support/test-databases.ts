import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { applyMigrations, readMigrationFiles } from '@/features/ai-chat/store/embedded/migrations';
import type { SqlDatabase, SqlExecutor } from '@/features/ai-chat/store/postgres/sql-database';

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

/** PGlite always; the local PostgreSQL server too when DATABASE_URL is set (CI sets it). */
export function databaseKinds(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return kind === 'pglite' ? openPglite() : openPostgres();
}

async function openPglite(): Promise<TestDatabase> {
  const db = await PGlite.create();
  await applyMigrations(db, await readMigrationFiles(SUPABASE_DIR));
  return wrap('pglite', { transaction: (work) => db.transaction(work), close: () => db.close() }, async (text, params) =>
    (await db.query<Record<string, unknown>>(text, params)).rows,
  );
}

/**
 * A fresh database per test file, copied from the template that the global setup migrated, so
 * files run in parallel without seeing each other's rows.
 */
async function openPostgres(): Promise<TestDatabase> {
  const template = new URL(process.env.DATABASE_URL!);
  const name = `ai_chat_test_${randomUUID().replaceAll('-', '')}`;
  const maintenance = new pg.Client({ connectionString: template.toString() });
  await maintenance.connect();
  await maintenance.query(`create database ${name} template ${template.pathname.slice(1)}_template`);
  await maintenance.end();

  const url = new URL(template);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 8 });
  // Teardown drops the database WITH (FORCE); a client whose socket is still closing then gets
  // "terminating connection" as an event, not a query error. Query errors still reject.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const sql: SqlDatabase = {
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(client as unknown as SqlExecutor);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  const database = wrap('postgres', sql, async (text, params) => (await pool.query(text, params)).rows);
  return {
    ...database,
    async close() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: template.toString() });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
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
