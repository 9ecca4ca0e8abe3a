import 'server-only';
import type pg from 'pg';
import { applyMigrations, readMigrationFiles } from '../embedded/migrations';

/** pg_advisory_xact_lock key of ai-chat's migrations ('ai-chat' in ASCII): one migrator at a time. */
const MIGRATION_LOCK_KEY = '27418716403163508';

/**
 * Applies what is missing of the module's migrations (`supabase/migrations/*_ai_chat*.sql`)
 * and, with `authShim`, first `supabase/local/*.sql` (the auth and storage schemas Supabase
 * provides; never on Supabase). All in ONE transaction under a transaction-level advisory lock:
 * two instances starting together take turns, the second finds everything applied, and a
 * migration that fails leaves nothing half done. Transaction-level, so it works through
 * PgBouncer in transaction mode, where a session lock would be held by whoever got the connection.
 */
export async function migratePostgres(pool: pg.Pool, options: { supabaseDir: string; authShim: boolean }): Promise<string[]> {
  const files = (await readMigrationFiles(options.supabaseDir)).filter(
    (file) => options.authShim || !file.name.startsWith('local/'),
  );
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const applied = await applyMigrations(
      {
        query: async <Row,>(text: string, params?: unknown[]) => ({ rows: (await client.query(text, params)).rows as Row[] }),
        exec: (text) => client.query(text),
        // Already inside the one transaction: each file runs in it.
        transaction: (work) => work({ exec: (text) => client.query(text), query: (text, params) => client.query(text, params) }),
      },
      files,
      'Start from an empty database, or drop the old version\'s tables and the schema ai_chat_local.',
    );
    await client.query('commit');
    client.release();
    return applied;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    client.release(true);
    throw error;
  }
}
