import type { PGlite, Transaction } from '@electric-sql/pglite';

/** What the store asked of the database while a counter was attached. */
export interface DbActivity {
  /** Store calls: each is one transaction (PGlite) or one RPC (Supabase). */
  transactions: number;
  /** SQL statements inside them, the per-transaction role/claims `set_config` included. */
  statements: number;
  /** One label per transaction, naming what it did (`ai_chat_reserve_usage`, `insert conversations`…). */
  labels: string[];
  /** When each transaction was asked for and when it resolved (performance.now() ms), in order. */
  calls: Array<{ start: number; end: number }>;
}

export interface DbActivityCounter {
  snapshot(): DbActivity;
  /** Rows inserted, updated and deleted in the public schema since the database opened (pg_stat). */
  rowWrites(): Promise<{ inserted: number; updated: number; deleted: number }>;
  /** Row counts of the chat tables. */
  rowCounts(): Promise<{ conversations: number; messages: number; usage: number }>;
}

const SET_CONFIG = /^\s*select set_config\(/i;

/** A short name for one statement: the SQL function it calls, or the verb and table. */
function labelOf(sql: string): string {
  const fn = /\b(?:public\.)?(ai_chat_\w+)\s*\(/i.exec(sql);
  if (fn) return fn[1]!;
  const write = /^\s*(insert into|update|delete from)\s+(?:public\.)?(\w+)/i.exec(sql);
  if (write) return `${write[1]!.split(' ')[0]!.toLowerCase()} ${write[2]}`;
  const read = /\bfrom\s+(?:public\.)?(\w+)/i.exec(sql);
  return read ? `select ${read[1]}` : sql.trim().split(/\s+/).slice(0, 3).join(' ');
}

/**
 * Counts the store's transactions and statements on an open PGlite by wrapping the instance's
 * `transaction` and `query` (the embedded store calls them on the instance at each use). Queries
 * made through the returned helpers are not counted.
 */
export function attachDbActivityCounter(db: PGlite): DbActivityCounter {
  const activity: DbActivity = { transactions: 0, statements: 0, labels: [], calls: [] };
  const transaction = db.transaction.bind(db);
  const query = db.query.bind(db);

  db.transaction = (<T>(work: (tx: Transaction) => Promise<T>) => {
    activity.transactions += 1;
    const names: string[] = [];
    const call = { start: performance.now(), end: NaN };
    activity.calls.push(call);
    return transaction(async (tx) => {
      const counted = Object.create(tx) as Transaction;
      counted.query = ((sql: string, params?: unknown[]) => {
        activity.statements += 1;
        if (!SET_CONFIG.test(sql)) names.push(labelOf(sql));
        return tx.query(sql, params);
      }) as Transaction['query'];
      try {
        return await work(counted);
      } finally {
        activity.labels.push(names.join(' + ') || 'set_config only');
      }
    }).finally(() => {
      call.end = performance.now();
    });
  }) as PGlite['transaction'];

  db.query = ((sql: string, params?: unknown[]) => {
    activity.transactions += 1;
    activity.statements += 1;
    activity.labels.push(labelOf(sql));
    const call = { start: performance.now(), end: NaN };
    activity.calls.push(call);
    return query(sql, params).finally(() => {
      call.end = performance.now();
    });
  }) as PGlite['query'];

  return {
    snapshot: () => ({ ...activity, labels: [...activity.labels], calls: [...activity.calls] }),
    async rowWrites() {
      await query(`select pg_stat_force_next_flush()`);
      const { rows } = await query<{ inserted: number; updated: number; deleted: number }>(
        `select coalesce(sum(n_tup_ins), 0)::int as inserted, coalesce(sum(n_tup_upd), 0)::int as updated,
                coalesce(sum(n_tup_del), 0)::int as deleted
           from pg_stat_user_tables where schemaname = 'public'`,
      );
      return rows[0]!;
    },
    async rowCounts() {
      const { rows } = await query<{ conversations: number; messages: number; usage: number }>(
        `select (select count(*)::int from public.ai_chat_conversations) as conversations,
                (select count(*)::int from public.ai_chat_messages) as messages,
                (select count(*)::int from public.ai_chat_usage) as usage`,
      );
      return rows[0]!;
    },
  };
}
