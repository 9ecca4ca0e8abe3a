import pg from 'pg';
import { createPostgresChatStore } from '../../features/ai-chat/store/postgres/postgres-chat-store';
import { preparePgliteSnapshot } from './pglite-snapshot';
import { SUPABASE_DIR } from './test-databases';

/**
 * Migrates PGlite once and dumps it (each suite's PGlite starts from that snapshot). With
 * TEST_DATABASE_URL set, also migrates a template database once (`<db>_template`); each test file
 * then copies it. Migrating once also proves the migration applies to an empty PostgreSQL.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await preparePgliteSnapshot(SUPABASE_DIR);
  if (!process.env.TEST_DATABASE_URL) return async () => {};
  const base = new URL(process.env.TEST_DATABASE_URL);
  const templateName = `${base.pathname.slice(1)}_template`;

  const maintenance = new pg.Client({ connectionString: base.toString() });
  await maintenance.connect();
  await maintenance.query(`drop database if exists ${templateName} with (force)`);
  await maintenance.query(`create database ${templateName}`);

  const url = new URL(base);
  url.pathname = `/${templateName}`;
  // Migrated by the Postgres store itself (auth shim, then the module's migrations, under its
  // advisory lock): this also proves they apply to an empty PostgreSQL.
  const store = createPostgresChatStore({ connectionString: url.toString(), migrate: true, supabaseDir: SUPABASE_DIR });
  await store.ready();
  await store.close();

  return async () => {
    await maintenance.query(`drop database if exists ${templateName} with (force)`);
    await maintenance.end();
  };
}
