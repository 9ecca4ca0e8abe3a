import 'server-only';
import pg from 'pg';
import { inlineParameters } from './sql-literals';
import type { SqlDatabase, SqlExecutor, SqlStatement } from './sql-database';

export interface PgDatabase extends SqlDatabase {
  readonly pool: pg.Pool;
}

/** SQLSTATEs and socket errors that mean the connection, not the statement, failed. */
const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

function lostConnection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_LOST.has(code)) return true;
  return typeof message === 'string' && /Connection terminated|Client has encountered a connection error/i.test(message);
}

/** Unnamed statements only: a `name` would prepare it on a connection PgBouncer may not give back. */
function executorOf(client: pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(text: string, params?: unknown[]) {
      const result = await client.query(text, params);
      return { rows: result.rows as Row[] };
    },
  };
}

/**
 * SqlDatabase on a node-postgres pool, safe behind PgBouncer or Supavisor in transaction mode:
 * every unit of work is one transaction on one pooled connection, statements are unnamed
 * (no server-side prepared statements), and any setting is `set_config(..., true)`, so nothing
 * outlives the transaction on a connection another client gets next.
 */
export function pgDatabase(pool: pg.Pool, { ownsPool, onError }: { ownsPool: boolean; onError: (error: Error) => void }): PgDatabase {
  // An idle pooled connection that dies (a restart, pg_terminate_backend, a pooler recycling it)
  // is an 'error' event; unheard, Node would crash the process on it. The pool drops the client.
  pool.on('error', onError);
  // The same event on a checked-out client between two statements: the statement in flight (if
  // any) rejects on its own; the event just needs a listener.
  pool.on('connect', (client) => client.on('error', onError));

  const attempt = async <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; retry: true; error: unknown }> => {
    const client = await pool.connect();
    let began = false;
    try {
      await client.query('begin');
      began = true;
      const value = await work(executorOf(client));
      await client.query('commit');
      client.release();
      return { ok: true, value };
    } catch (error) {
      const dead = lostConnection(error);
      if (!dead) await client.query('rollback').catch(() => undefined);
      // A broken connection goes away instead of back to the pool.
      client.release(dead ? (error as Error) : undefined);
      // Retried only when nothing ran: the connection was dead before `begin` answered.
      if (dead && !began) return { ok: false, retry: true, error };
      throw error;
    }
  };

  // A connection killed idle in the pool, handed out before the pool heard: the write fails (EPIPE),
  // the client had already failed and sent nothing, or the server's own word that it was shutting
  // this backend down (a restart, pg_terminate_backend), which aborts whatever it had begun.
  const nothingCommitted = (error: unknown): boolean => {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'EPIPE' || code === '57P01' || code === '57P02' || code === '57P03') return true;
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause?.code === 'EPIPE') return true;
    // The socket closed under a connection killed idle: retried too. Only a database dying in the
    // instant between its commit and its answer could then apply a write twice (ids are the
    // caller's, so a second insert is refused as taken rather than doubled).
    return typeof message === 'string' && /is not queryable|Connection terminated unexpectedly/.test(message);
  };

  const attemptStatements = async (
    list: readonly SqlStatement[],
  ): Promise<{ ok: true; value: Array<{ rows: Record<string, unknown>[] }> } | { ok: false; retry: true; error: unknown }> => {
    // Built before a connection is taken: a value that cannot be sent fails here, costing nothing.
    // Each statement on its own lines, so a trailing comment cannot swallow the separator.
    const text = `begin;\n${list.map((statement) => inlineParameters(statement.text, statement.params)).join('\n;\n')}\n;\ncommit;`;
    const client = await pool.connect();
    try {
      // Simple protocol, one round trip: the server runs begin … commit without waiting on Node,
      // so a lock one of the statements takes is held only while the server executes them.
      const results = (await client.query(text)) as unknown as pg.QueryResult[];
      client.release();
      return { ok: true, value: results.slice(1, -1).map((result) => ({ rows: result.rows as Record<string, unknown>[] })) };
    } catch (error) {
      const dead = lostConnection(error);
      // A failed statement leaves the transaction aborted (the rest, commit included, skipped).
      if (!dead) await client.query('rollback').catch(() => undefined);
      client.release(dead ? (error as Error) : undefined);
      if (dead && nothingCommitted(error)) return { ok: false, retry: true, error };
      throw error;
    }
  };

  const retrying = async <T>(attemptOnce: () => Promise<{ ok: true; value: T } | { ok: false; retry: true; error: unknown }>): Promise<T> => {
    // Every idle connection may have died at once (a database restart): each dead one handed
    // out is dropped, so at most the pool's size of them, then a fresh connection answers.
    const tries = (pool.options.max ?? 10) + 1;
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      const outcome = await attemptOnce();
      if (outcome.ok) return outcome.value;
      last = outcome.error;
    }
    throw last;
  };

  return {
    pool,
    transaction: (work) => retrying(() => attempt(work)),
    statements: (list) => retrying(() => attemptStatements(list)),
    async close() {
      if (ownsPool && !pool.ended && !pool.ending) await pool.end();
    },
  };
}
