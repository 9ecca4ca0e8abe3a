/**
 * What PostgREST calls its schema cache: the tables, columns and functions of schema `public`,
 * read from the migrated database's own catalogs.
 */
export interface SchemaCatalog {
  /** Table name → its columns. */
  tables: Map<string, Set<string>>;
  /** Function name → what a call to it needs. */
  functions: Map<string, FunctionShape>;
}

export interface FunctionShape {
  /** The input arguments in order, named as a JSON body must name them. */
  args: { name: string; type: string }[];
  /** `set`: rows (setof / returns table); `row`: one composite; `scalar`; `void`. */
  returns: 'set' | 'row' | 'scalar' | 'void';
  /**
   * Its volatility: PostgREST runs a POST to a stable or immutable function in a READ ONLY
   * transaction (and every GET), a POST to a volatile one READ WRITE.
   */
  volatility: 'volatile' | 'stable' | 'immutable';
}

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export async function readSchemaCatalog(query: Query): Promise<SchemaCatalog> {
  const columns = await query(
    `select table_name, column_name
       from information_schema.columns
      where table_schema = 'public'
      order by table_name, ordinal_position`,
  );
  const tables = new Map<string, Set<string>>();
  for (const { table_name, column_name } of columns as { table_name: string; column_name: string }[]) {
    if (!tables.has(table_name)) tables.set(table_name, new Set());
    tables.get(table_name)!.add(column_name);
  }

  // proargtypes lists the input arguments only; proargnames/proargmodes cover all of them
  // (returns-table columns included), so take input names by mode and types by position.
  const procs = await query(
    `select p.proname as name,
            p.proretset as returns_set,
            p.provolatile as volatility,
            rt.typtype as return_typtype,
            rt.typname as return_typname,
            coalesce((
              select json_agg(json_build_object('name', a.name, 'type', format_type(a.type, null)) order by a.ord)
                from unnest(
                       coalesce(p.proallargtypes, (select array_agg(t order by o) from unnest(p.proargtypes) with ordinality x(t, o))),
                       p.proargnames,
                       coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs::int]))
                     ) with ordinality a(type, name, mode, ord)
               where a.mode in ('i', 'b', 'v')
            ), '[]'::json) as args
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       join pg_type rt on rt.oid = p.prorettype
      where n.nspname = 'public' and p.prokind = 'f'`,
  );
  const functions = new Map<string, FunctionShape>();
  for (const row of procs as {
    name: string;
    returns_set: boolean;
    volatility: string;
    return_typtype: string;
    return_typname: string;
    args: { name: string; type: string }[];
  }[]) {
    const returns = row.returns_set
      ? 'set'
      : row.return_typname === 'void'
        ? 'void'
        : row.return_typtype === 'c'
          ? 'row'
          : 'scalar';
    const volatility = row.volatility === 'i' ? 'immutable' : row.volatility === 's' ? 'stable' : 'volatile';
    functions.set(row.name, { args: row.args, returns, volatility });
  }
  return { tables, functions };
}
