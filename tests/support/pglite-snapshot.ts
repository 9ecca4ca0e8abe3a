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
    .update(`${PGLITE_VERSION}\0checkpointed, without templates\0`)
    .update(files.map((file) => `${file.name}:${checksum(file.sql)}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), `ai-chat-pglite-snapshot-${key}.tar`);
  if (!existsSync(file)) {
    const db = await PGlite.create();
    try {
      await applyMigrations(db, files);
      const templates = await db.query<{ oid: number }>(`select oid from pg_database where datname in ('template0', 'template1')`);
      // A clean checkpoint: each load then starts without replaying the migrations' WAL.
      await db.exec('checkpoint');
      const dump = await db.dumpDataDir('none');
      const tar = withoutDatabases(new Uint8Array(await dump.arrayBuffer()), templates.rows.map((row) => row.oid));
      // Written aside and renamed: a run beside this one never reads half a file.
      const partial = `${file}.${randomUUID()}`;
      await writeFile(partial, tar);
      await rename(partial, file);
    } finally {
      await db.close();
    }
  }
  process.env[SNAPSHOT_ENV] = file;
  return file;
}

const TAR_BLOCK = 512;

/**
 * The data folder's tar without the files of the given databases. The suites only use the
 * database PGlite opens; template0 and template1 (CREATE DATABASE's sources, never used here) are
 * 15 of the tar's 41 MB, and every boot writes each file of it into PGlite's in-memory file
 * system: without them a boot takes about a quarter less CPU (527-650 ms down to 364-450 ms
 * here), over some 116 boots a run (issue 17). PGlite writes ustar headers with the whole path in
 * the name field (`/base/1/2337`), which is all this reads.
 */
function withoutDatabases(tar: Uint8Array, oids: readonly number[]): Uint8Array {
  const dropped = oids.map((oid) => `/base/${oid}`);
  const kept: Uint8Array[] = [];
  for (let offset = 0; offset + TAR_BLOCK <= tar.length; ) {
    const header = tar.subarray(offset, offset + TAR_BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const name = Buffer.from(header.subarray(0, 100)).toString('latin1').replace(/\0.*$/s, '').replace(/^\/?/, '/');
    const size = parseInt(Buffer.from(header.subarray(124, 136)).toString('latin1').replace(/[\0 ]+$/, '') || '0', 8);
    const end = offset + TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (!dropped.some((folder) => name === folder || name.startsWith(`${folder}/`))) kept.push(tar.subarray(offset, end));
    offset = end;
  }
  kept.push(new Uint8Array(TAR_BLOCK * 2));
  return Buffer.concat(kept);
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

/**
 * A migrated in-memory PGlite of its own: from the snapshot when there is one, migrated here
 * otherwise. Suites lease theirs from the pool (pglite-pool.ts), which boots through this.
 */
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
