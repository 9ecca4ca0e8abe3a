/**
 * The little a Postgres driver must offer the SQL store: parameterised queries inside a
 * transaction. PGlite satisfies it directly; node-postgres through a few lines (see tests).
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface SqlDatabase {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
