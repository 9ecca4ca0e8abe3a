import { Blob as NodeBlob } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, checksum, readMigrationFiles } from '@/features/ai-chat/store/embedded/migrations';

/**
 * Booting PGlite runs initdb and then the module's migrations: seconds of CPU each time, and the
 * suites open dozens of databases. The global setup does it once and dumps the data folder; every
 * suite then starts from that tarball (PGlite's `loadDataDir`), a copy of its own.
 */
const SNAPSHOT_ENV = 'AI_CHAT_TEST_PGLITE_SNAPSHOT';

// Its package does not export package.json; read it from where the suites resolve it.
const PGLITE_VERSION = (
  JSON.parse(readFileSync(path.resolve(__dirname, '../../node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }
).version;

/**
 * Makes the snapshot (or reuses one made from exactly these migrations and this PGlite) and
 * publishes its path to the workers through the environment, which they inherit.
 */
export async function preparePgliteSnapshot(supabaseDir: string): Promise<string> {
  const files = await readMigrationFiles(supabaseDir);
  const key = createHash('sha256')
    .update(`${PGLITE_VERSION}\0checkpointed\0`)
    .update(files.map((file) => `${file.name}:${checksum(file.sql)}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `ai-chat-pglite-snapshot-${key}.tar`);
  if (!existsSync(file)) {
    const db = await PGlite.create();
    try {
      await applyMigrations(db, files);
      // A clean checkpoint: each load then starts without replaying the migrations' WAL.
      await db.exec('checkpoint');
      const dump = await db.dumpDataDir('none');
      // Written aside and renamed: a run beside this one never reads half a file.
      const partial = `${file}.${randomUUID()}`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, file);
    } finally {
      await db.close();
    }
  }
  process.env[SNAPSHOT_ENV] = file;
  return file;
}

let snapshot: Promise<Blob | undefined> | undefined;

/** The migrated data folder the global setup dumped, or undefined when none was made (a run without it). */
export function pgliteSnapshot(): Promise<Blob | undefined> {
  snapshot ??= (async () => {
    const file = process.env[SNAPSHOT_ENV];
    // Node's Blob, not jsdom's: PGlite reads it as Node's, and the hook and component suites run under jsdom.
    return file ? (new NodeBlob([await readFile(file)]) as unknown as Blob) : undefined;
  })();
  return snapshot;
}

/** A migrated in-memory PGlite of its own: from the snapshot when there is one, migrated here otherwise. */
export async function openMigratedPglite(supabaseDir: string): Promise<PGlite> {
  const loadDataDir = await pgliteSnapshot();
  const db = await PGlite.create(loadDataDir ? { loadDataDir } : {});
  try {
    // On the snapshot every checksum matches, so this only proves the snapshot is of these files.
    await applyMigrations(db, await readMigrationFiles(supabaseDir));
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
