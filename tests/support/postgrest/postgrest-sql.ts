import type { FunctionShape } from './schema-catalog';

/**
 * The small part of PostgREST's URL grammar the chat store uses, turned into one SQL statement
 * that yields the response body as JSON text (`body`) and its row count (`rows`), built the way
 * PostgREST builds it (json_agg over the rows, json_populate_recordset for writes,
 * json_to_record for function arguments), so the JSON is Postgres's own: ISO timestamps,
 * numerics and bigints as JSON numbers.
 */
export interface PostgrestStatement {
  sql: string;
  params: unknown[];
}

/** A request the fake cannot or will not answer, as PostgREST would refuse it. */
export class PostgrestRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
  ) {
    super(message);
  }
}

const RESERVED_PARAMS = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMPARISONS: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const IS_VALUES: Record<string, string> = { null: 'null', true: 'true', false: 'false', unknown: 'unknown' };

/** A quoted identifier; anything that is not a plain name is a parse error, as in PostgREST. */
export function quote(name: string): string {
  if (!IDENTIFIER.test(name)) throw new PostgrestRequestError(400, 'PGRST100', `"failed to parse" ${name}`);
  return `"${name}"`;
}

/** The columns of `select=`: `*` or plain names (no embedding, no renaming: the store uses neither). */
export function selectedColumns(query: URLSearchParams): string[] {
  const select = query.get('select') ?? '*';
  return select.split(',').map((item) => item.trim());
}

/** Column → `op.value` for every filter parameter. */
export function filterParams(query: URLSearchParams): [string, string][] {
  return [...query.entries()].filter(([key]) => !RESERVED_PARAMS.has(key));
}

/** Every column the filters name, those inside `or=(…)` and `and=(…)` trees included. */
export function filterColumns(query: URLSearchParams): string[] {
  const columnsOf = (list: string): string[] =>
    logicItems(list).flatMap((item) => {
      const nested = /^(and|or)(\(.*\))$/.exec(item);
      return nested ? columnsOf(nested[2]!) : [item.slice(0, item.indexOf('.'))];
    });
  return filterParams(query).flatMap(([column, filter]) => (column === 'or' || column === 'and' ? columnsOf(filter) : [column]));
}

/** The column of each `order=` item. */
export function orderColumns(query: URLSearchParams): string[] {
  const order = query.get('order');
  return order ? order.split(',').map((item) => item.split('.')[0] ?? '') : [];
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function selectList(query: URLSearchParams): string {
  return selectedColumns(query)
    .map((column) => (column === '*' ? '*' : quote(column)))
    .join(', ');
}

/** One `column.op.value` filter as SQL, or a parse error naming what the fake knows. */
function condition(column: string, filter: string, table: string, params: Params): string {
  const dot = filter.indexOf('.');
  const operator = dot < 0 ? filter : filter.slice(0, dot);
  const operand = dot < 0 ? '' : filter.slice(dot + 1);
  const target = `${quote(table)}.${quote(column)}`;
  const comparison = COMPARISONS[operator];
  // A value with reserved characters comes in double quotes (PostgREST's grammar).
  const value = /^".*"$/.test(operand) ? operand.slice(1, -1).replaceAll('\\"', '"') : operand;
  if (comparison) return `${target} ${comparison} ${params.add(value)}`;
  const isValue = IS_VALUES[operand];
  if (operator === 'is' && isValue) return `${target} is ${isValue}`;
  const negatedIs = operator === 'not' && operand.startsWith('is.') ? IS_VALUES[operand.slice(3)] : undefined;
  if (negatedIs) return `${target} is not ${negatedIs}`;
  throw new PostgrestRequestError(400, 'PGRST100', `"failed to parse filter (${filter})" (the fake knows eq, neq, gt, gte, lt, lte, is, not.is, or, and)`);
}

/** The items of a logic tree's `(a,b,…)`, split at the commas outside parentheses. */
function logicItems(list: string): string[] {
  if (!list.startsWith('(') || !list.endsWith(')')) throw new PostgrestRequestError(400, 'PGRST100', `"failed to parse logic tree (${list})"`);
  const items: string[] = [];
  let depth = 0;
  let start = 1;
  let quoted = false;
  for (let index = 1; index < list.length - 1; index++) {
    const char = list[index];
    if (char === '"' && list[index - 1] !== '\\') quoted = !quoted;
    else if (quoted) continue;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      items.push(list.slice(start, index));
      start = index + 1;
    }
  }
  items.push(list.slice(start, list.length - 1));
  return items;
}

/** `or=(…)` / `and=(…)`, nested `and(…)` / `or(…)` items and plain `column.op.value` items. */
function logicTree(joiner: 'or' | 'and', list: string, table: string, params: Params): string {
  const parts = logicItems(list).map((item) => {
    const nested = /^(and|or)(\(.*\))$/.exec(item);
    if (nested) return logicTree(nested[1] as 'or' | 'and', nested[2]!, table, params);
    const dot = item.indexOf('.');
    return condition(item.slice(0, dot), item.slice(dot + 1), table, params);
  });
  return `(${parts.join(` ${joiner} `)})`;
}

function whereClause(query: URLSearchParams, table: string, params: Params): string {
  const conditions = filterParams(query).map(([column, filter]) =>
    column === 'or' || column === 'and' ? logicTree(column, filter, table, params) : condition(column, filter, table, params),
  );
  return conditions.length ? `where ${conditions.join(' and ')}` : '';
}

function orderClause(query: URLSearchParams, table: string): string {
  const order = query.get('order');
  if (!order) return '';
  const terms = order.split(',').map((item) => {
    const [column = '', ...modifiers] = item.split('.');
    const direction = modifiers.includes('desc') ? 'desc' : 'asc';
    const nulls = modifiers.includes('nullsfirst') ? ' nulls first' : modifiers.includes('nullslast') ? ' nulls last' : '';
    return `${quote(table)}.${quote(column)} ${direction}${nulls}`;
  });
  return `order by ${terms.join(', ')}`;
}

/**
 * `limit`/`offset`, the limit capped at `maxRows` (PostgREST's `db-max-rows`: hosted Supabase
 * answers at most 1,000 rows a request, whatever the request asks for).
 */
function pagingClause(query: URLSearchParams, params: Params, maxRows: number | null): string {
  const parts: string[] = [];
  const read = (key: 'limit' | 'offset'): number | null => {
    const value = query.get(key);
    if (value === null) return null;
    if (!/^\d+$/.test(value)) throw new PostgrestRequestError(400, 'PGRST100', `"failed to parse ${key}" ${value}`);
    return Number(value);
  };
  const requested = read('limit');
  const limit = maxRows === null ? requested : Math.min(requested ?? maxRows, maxRows);
  const offset = read('offset');
  if (limit !== null) parts.push(`limit ${params.add(limit)}`);
  if (offset !== null) parts.push(`offset ${params.add(offset)}`);
  return parts.join(' ');
}

/** The JSON array of `source`'s rows (projected by `select=`) and how many there were. */
function aggregate(source: string, query: URLSearchParams): string {
  return `select coalesce(json_agg(_postgrest_t), '[]')::text as body, count(*)::int as rows
            from (select ${selectList(query)} from ${source}) _postgrest_t`;
}

/** A read, insert, update or delete on `public.<table>`. */
export function tableStatement(
  method: string,
  table: string,
  query: URLSearchParams,
  body: unknown,
  prefer: string | null = null,
  maxRows: number | null = null,
): PostgrestStatement {
  const params = new Params();
  const target = `public.${quote(table)}`;
  switch (method) {
    case 'GET': {
      const where = whereClause(query, table, params);
      const source = `(select * from ${target} ${where} ${orderClause(query, table)} ${pagingClause(query, params, maxRows)}) ${quote(table)}`;
      return { sql: aggregate(source, query), params: params.values };
    }
    case 'POST': {
      const rows = Array.isArray(body) ? body : [body];
      const columns = [...new Set(rows.flatMap((row) => Object.keys(row as object)))].map(quote).join(', ');
      const json = params.add(JSON.stringify(rows));
      // Upserts: `on_conflict=cols` with `Prefer: resolution=ignore-duplicates` is ON CONFLICT DO NOTHING.
      const conflictColumns = query.get('on_conflict')?.split(',').map((column) => quote(column.trim()));
      const onConflict =
        conflictColumns && prefer?.includes('resolution=ignore-duplicates') ? `on conflict (${conflictColumns.join(', ')}) do nothing` : '';
      const insert = `insert into ${target} (${columns})
                      select ${columns} from json_populate_recordset(null::${target}, ${json}::json)
                      ${onConflict}
                      returning *`;
      return { sql: `with pgrst_source as (${insert}) ${aggregate('pgrst_source', query)}`, params: params.values };
    }
    case 'PATCH': {
      const columns = Object.keys(body as object).map(quote);
      const json = params.add(JSON.stringify(body));
      const where = whereClause(query, table, params);
      const update = `update ${target} set ${columns.map((column) => `${column} = _pgrst_body.${column}`).join(', ')}
                        from (select * from json_populate_record(null::${target}, ${json}::json)) _pgrst_body
                      ${where}
                      returning ${quote(table)}.*`;
      return { sql: `with pgrst_source as (${update}) ${aggregate('pgrst_source', query)}`, params: params.values };
    }
    case 'DELETE': {
      const where = whereClause(query, table, params);
      const remove = `delete from ${target} ${where} returning *`;
      return { sql: `with pgrst_source as (${remove}) ${aggregate('pgrst_source', query)}`, params: params.values };
    }
    default:
      throw new PostgrestRequestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  }
}

/**
 * A call of `public.<fn>` with `args` as named arguments. A set-returning function's rows are read
 * like a table's (filters, `order`, `limit`/`offset` from the query string), capped at `maxRows`.
 */
export function rpcStatement(
  name: string,
  shape: FunctionShape,
  args: Record<string, unknown>,
  query: URLSearchParams = new URLSearchParams(),
  maxRows: number | null = null,
): PostgrestStatement {
  const params = new Params();
  const keys = Object.keys(args);
  const types = new Map(shape.args.map((arg) => [arg.name, arg.type]));
  const argsSource = keys.length
    ? `json_to_record(${params.add(JSON.stringify(args))}::json) as _pgrst_args(${keys
        .map((key) => `${quote(key)} ${types.get(key)}`)
        .join(', ')}), `
    : '';
  const call = `public.${quote(name)}(${keys.map((key) => `${quote(key)} => _pgrst_args.${quote(key)}`).join(', ')})`;
  switch (shape.returns) {
    case 'set': {
      const read = `${whereClause(query, 'pgrst_call', params)} ${orderClause(query, 'pgrst_call')} ${pagingClause(query, params, maxRows)}`;
      return {
        sql: `select coalesce(json_agg(_postgrest_t), '[]')::text as body, count(*)::int as rows
                from (select pgrst_call.* from ${argsSource} lateral ${call} pgrst_call ${read}) _postgrest_t`,
        params: params.values,
      };
    }
    case 'row':
      return {
        sql: `select coalesce((json_agg(_postgrest_t) -> 0)::text, 'null') as body, 1 as rows
                from (select pgrst_call.* from ${argsSource} lateral ${call} pgrst_call) _postgrest_t`,
        params: params.values,
      };
    case 'scalar':
      return {
        sql: `select coalesce(to_json(${call})::text, 'null') as body, 1 as rows ${keys.length ? `from ${argsSource.slice(0, -2)}` : ''}`,
        params: params.values,
      };
    case 'void':
      return {
        sql: `select ${call}, null::text as body, 0 as rows ${keys.length ? `from ${argsSource.slice(0, -2)}` : ''}`,
        params: params.values,
      };
  }
}
