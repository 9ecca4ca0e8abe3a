import 'server-only';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlExecutor } from '../postgres/sql-database';

/**
 * Where the SQL stores keep a file's bytes, by its storage path (`<user id>/<file id>`, both
 * UUIDs the server chose): on disk or in memory (here), or in the database (database-bytes.ts).
 * Only ever reached after an RLS-checked row said the path is the user's: this layer decides nothing.
 */
export interface AttachmentBytes {
  put(storagePath: string, data: Uint8Array): Promise<void>;
  get(storagePath: string): Promise<Uint8Array | null>;
  delete(storagePaths: readonly string[]): Promise<void>;
  /**
   * Set by bytes kept in the chat's own database: the store then writes them with this, inside
   * the transaction that records the file's row (after the row, which they reference) instead of
   * `put` before it, so row and bytes commit or roll back together.
   */
  putWithRow?(tx: SqlExecutor, storagePath: string, data: Uint8Array): Promise<void>;
}

/** `<user id>/<file id>`: the only storage paths the server makes. */
export const SAFE_PATH = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

/** The bytes under `<dataDir>/attachments`; in memory for `memory://` data dirs (tests). */
export function attachmentBytesFor(dataDir: string): AttachmentBytes {
  return dataDir.startsWith('memory://') ? memoryBytes() : diskBytes(path.resolve(dataDir, 'attachments'));
}

function diskBytes(root: string): AttachmentBytes {
  const fileOf = (storagePath: string) => {
    // Paths are ids the server made; anything else never reaches the disk.
    if (!SAFE_PATH.test(storagePath)) throw new TypeError(`Not an attachment path: ${storagePath}`);
    return path.join(root, ...storagePath.split('/'));
  };
  return {
    async put(storagePath, data) {
      const file = fileOf(storagePath);
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside, then renamed: a crash never leaves half a file under the real name.
      const partial = `${file}.partial`;
      await writeFile(partial, data, { mode: 0o600 });
      await rename(partial, file);
    },
    async get(storagePath) {
      try {
        return new Uint8Array(await readFile(fileOf(storagePath)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(storagePaths) {
      await Promise.all(storagePaths.map((storagePath) => rm(fileOf(storagePath), { force: true })));
    },
  };
}

function memoryBytes(): AttachmentBytes {
  const files = new Map<string, Uint8Array>();
  return {
    async put(storagePath, data) {
      files.set(storagePath, data.slice());
    },
    async get(storagePath) {
      const data = files.get(storagePath);
      return data ? data.slice() : null;
    },
    async delete(storagePaths) {
      for (const storagePath of storagePaths) files.delete(storagePath);
    },
  };
}

const shared = globalThis as typeof globalThis & { __aiChatAttachmentBytes?: AttachmentBytes };

/** One in-memory store per process, for a PostgresUserStore given no folder (tests, scripts). */
export function sharedMemoryBytes(): AttachmentBytes {
  shared.__aiChatAttachmentBytes ??= memoryBytes();
  return shared.__aiChatAttachmentBytes;
}
