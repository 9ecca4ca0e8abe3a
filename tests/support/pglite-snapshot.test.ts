import { afterAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { applyMigrations, readMigrationFiles } from '@/features/ai-chat/store/embedded/migrations';
import { openMigratedPglite, pgliteSnapshot } from './pglite-snapshot';
import { SUPABASE_DIR } from './test-databases';

describe('the migrated PGlite snapshot the suites start from', () => {
  const opened: PGlite[] = [];
  afterAll(() => Promise.all(opened.map((db) => db.close())));

  it('is made once by the global setup and holds every migration, so none runs again', async () => {
    expect(await pgliteSnapshot()).toBeDefined();
    const db = await openMigratedPglite(SUPABASE_DIR);
    opened.push(db);
    const files = await readMigrationFiles(SUPABASE_DIR);
    expect(await applyMigrations(db, files)).toEqual([]);
    const { rows } = await db.query<{ name: string }>('select name from ai_chat_local.applied_migrations order by name');
    expect(rows.map((row) => row.name).sort()).toEqual(files.map((file) => file.name).sort());
  });

  it('gives each database its own copy: rows written in one are not in the next', async () => {
    const first = await openMigratedPglite(SUPABASE_DIR);
    opened.push(first);
    await first.query(`insert into auth.users (id, email) values (gen_random_uuid(), 'only-here@example.test')`);
    const second = await openMigratedPglite(SUPABASE_DIR);
    opened.push(second);
    const { rows } = await second.query(`select 1 from auth.users where email = 'only-here@example.test'`);
    expect(rows).toEqual([]);
  });
});
