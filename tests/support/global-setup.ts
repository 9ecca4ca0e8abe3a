import pg from 'pg';
import { applyMigrations, readMigrationFiles } from '../../features/ai-chat/store/embedded/migrations';
import { SUPABASE_DIR } from './test-databases';

/**
 * With DATABASE_URL set, migrates a template database once (`<db>_template`); each test file
 * then copies it. Migrating once also proves the migration applies to an empty PostgreSQL.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (!process.env.DATABASE_URL) return async () => {};
  const base = new URL(process.env.DATABASE_URL);
  const templateName = `${base.pathname.slice(1)}_template`;

  const maintenance = new pg.Client({ connectionString: base.toString() });
  await maintenance.connect();
  await maintenance.query(`drop database if exists ${templateName} with (force)`);
  await maintenance.query(`create database ${templateName}`);

  const url = new URL(base);
  url.pathname = `/${templateName}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await applyMigrations(
    {
      query: async (text, params) => ({ rows: (await client.query(text, params)).rows }),
      exec: (text) => client.query(text),
      async transaction(work) {
        await client.query('begin');
        try {
          const result = await work({ exec: (text) => client.query(text), query: (text, params) => client.query(text, params) });
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback');
          throw error;
        }
      },
    },
    await readMigrationFiles(SUPABASE_DIR),
  );
  await client.end();

  return async () => {
    await maintenance.query(`drop database if exists ${templateName} with (force)`);
    await maintenance.end();
  };
}
