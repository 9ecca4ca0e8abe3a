import 'server-only';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ChatError } from '../../protocol/errors';

export interface MigrationFile {
  name: string;
  sql: string;
}

/** The migrations a database without Supabase needs, in order: the auth shim, then ai-chat's own. */
export async function readMigrationFiles(supabaseDir: string): Promise<MigrationFile[]> {
  const shim = await readSqlFiles(path.join(supabaseDir, 'local'), () => true);
  // Only the module's own migrations: an app's other Supabase migrations may need extensions
  // that PGlite does not have, and the embedded store has no use for them.
  // (`_titles_sidebar` is issue 20's migration until it is folded into the baseline.)
  const own = await readSqlFiles(path.join(supabaseDir, 'migrations'), (name) => name.includes('_ai_chat') || name.endsWith('_titles_sidebar.sql'));
  if (own.length === 0) {
    throw new ChatError(
      'not_configured',
      `No ai-chat migration found in ${path.join(supabaseDir, 'migrations')}. Copy supabase/migrations/*_ai_chat*.sql and supabase/local/*.sql (auth.sql, storage.sql) into your app.`,
    );
  }
  return [...shim.map((file) => ({ ...file, name: `local/${file.name}` })), ...own];
}

async function readSqlFiles(dir: string, keep: (name: string) => boolean): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.sql') && keep(name)).sort();
  } catch (error) {
    throw new ChatError('not_configured', `Cannot read the migrations folder ${dir}.`, { cause: error });
  }
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(path.join(dir, name), 'utf8') })));
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

interface MigrationTarget {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(work: (tx: { exec(sql: string): Promise<unknown>; query(sql: string, params?: unknown[]): Promise<unknown> }) => Promise<T>): Promise<T>;
}

/**
 * Applies each migration not yet applied, each in its own transaction, and records it. A file
 * that changed after it was applied, or an applied one no longer shipped (the migrations were
 * squashed into one baseline), is refused before anything is written: the database was made by
 * another version. `startOver` tells the developer how to begin again (delete the data folder).
 */
export async function applyMigrations(
  db: MigrationTarget,
  files: MigrationFile[],
  startOver = 'Start over from an empty database.',
): Promise<string[]> {
  await db.exec(`
    create schema if not exists ai_chat_local;
    create table if not exists ai_chat_local.applied_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    );`);
  const { rows } = await db.query<{ name: string; checksum: string }>(
    'select name, checksum from ai_chat_local.applied_migrations',
  );
  const applied = new Map(rows.map((row) => [row.name, row.checksum]));
  const shipped = new Set(files.map((file) => file.name));
  const retired = [...applied.keys()].filter((name) => !name.startsWith('local/') && !shipped.has(name)).sort();
  if (retired.length > 0) {
    throw new ChatError(
      'not_configured',
      `This database was made by an older ai-chat schema: migration ${retired.join(', ')} is no longer shipped ` +
        `(the migrations were squashed into one baseline, with tables renamed ai_chat_*). ${startOver}`,
    );
  }
  const newlyApplied: string[] = [];

  for (const file of files) {
    const sum = checksum(file.sql);
    const previous = applied.get(file.name);
    if (previous === sum) continue;
    if (previous !== undefined && !file.name.startsWith('local/')) {
      throw new ChatError(
        'not_configured',
        `Migration ${file.name} changed after it was applied to this database. Add a new migration instead. ${startOver}`,
      );
    }
    await db.transaction(async (tx) => {
      await tx.exec(file.sql);
      await tx.query(
        `insert into ai_chat_local.applied_migrations (name, checksum) values ($1, $2)
         on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`,
        [file.name, sum],
      );
    });
    newlyApplied.push(file.name);
  }
  return newlyApplied;
}
