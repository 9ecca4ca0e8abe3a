import 'server-only';
/**
 * The little a Postgres driver must offer the SQL store: parameterised queries inside a
 * transaction. PGlite satisfies it directly; node-postgres through a few lines (see tests).
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** One of the store's own SQL texts with `$n` placeholders, and its values. */
export interface SqlStatement {
  text: string;
  params?: readonly unknown[];
}

export interface SqlDatabase {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs fixed statements, in order, as one transaction, and returns each one's rows. A driver
   * on a network may send them in one round trip (node-postgres does), so no lock taken by one
   * of them waits on the client between statements. Optional: `runStatements` falls back to
   * `transaction`.
   */
  statements?(list: readonly SqlStatement[]): Promise<Array<{ rows: Record<string, unknown>[] }>>;
  close(): Promise<void>;
}

/** `list` as one transaction, in one round trip where the driver can. */
export function runStatements(db: SqlDatabase, list: readonly SqlStatement[]): Promise<Array<{ rows: Record<string, unknown>[] }>> {
  if (db.statements) return db.statements(list);
  return db.transaction(async (tx) => {
    const results: Array<{ rows: Record<string, unknown>[] }> = [];
    for (const statement of list) results.push(await tx.query(statement.text, statement.params ? [...statement.params] : undefined));
    return results;
  });
}
