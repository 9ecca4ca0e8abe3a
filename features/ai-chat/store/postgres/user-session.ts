import 'server-only';
import { mapDatabaseError } from './map-database-error';
import { runStatements, type SqlDatabase } from './sql-database';

/**
 * One user's way into Postgres: every statement runs as role `authenticated` (RLS decides) or,
 * for what only the server writes, `service_role` through the migration's functions, with the
 * user's JWT claims set exactly as PostgREST sets them on Supabase.
 */
export class PostgresUserSession {
  constructor(
    protected readonly db: SqlDatabase,
    readonly userId: string,
  ) {}

  /** One statement as the role, in one transaction (see statementsAs). */
  protected async statementAs(
    role: 'authenticated' | 'service_role',
    context: string,
    text: string,
    params: readonly unknown[] = [],
  ): Promise<Record<string, unknown>[]> {
    const [rows] = await this.statementsAs(role, context, [{ text, params }]);
    return rows!;
  }

  /**
   * Statements as the role with the user's claims set (`set_config(…, true)`, as PostgREST does),
   * in one transaction, sent in one round trip where the driver can (node-postgres): nothing one
   * of them locks then waits on this process to send the next statement or the commit.
   */
  protected async statementsAs(
    role: 'authenticated' | 'service_role',
    context: string,
    list: ReadonlyArray<{ text: string; params?: readonly unknown[] }>,
  ): Promise<Array<Record<string, unknown>[]>> {
    try {
      const results = await runStatements(this.db, [
        { text: SET_CLAIMS, params: [role, JSON.stringify({ sub: this.userId, role })] },
        ...list,
      ]);
      return results.slice(1).map((result) => result.rows);
    } catch (error) {
      throw mapDatabaseError(error, context);
    }
  }

  /** A migration function as service_role, named arguments as PostgREST's rpc passes them. */
  protected callAsServer(context: string, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const { text, params } = functionCall(name, args);
    return this.statementAs('service_role', context, text, params);
  }
}

const SET_CLAIMS = `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`;

/**
 * A migration function's call with named arguments (`p_x => $1`), as PostgREST does for rpc. Names
 * come from the fixed argument builders, never from input; objects are passed as JSON text.
 */
export function functionCall(name: string, args: Record<string, unknown>): { text: string; params: unknown[] } {
  const { list, params } = namedArguments(args);
  return { text: `select * from public.${name}(${list})`, params };
}

/** `select public.name(p_x => $1, …) as <column>`: a scalar function's value under one name. */
export function scalarCall(name: string, args: Record<string, unknown>, column: string): { text: string; params: unknown[] } {
  const { list, params } = namedArguments(args);
  return { text: `select public.${name}(${list}) as ${column}`, params };
}

/** `p_x => $1, …` in the builder's order, and the values (objects as JSON). */
function namedArguments(args: Record<string, unknown>): { list: string; params: unknown[] } {
  const names = Object.keys(args);
  return { list: names.map((key, index) => `${key} => $${index + 1}`).join(', '), params: names.map((key) => toParameter(args[key])) };
}

function toParameter(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}
