import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineParameters, NulInTextError, toSqlLiteral } from '@/features/ai-chat/store/postgres/sql-literals';
import { pgDatabase } from '@/features/ai-chat/store/postgres/pg-database';
import { createServerDatabase } from '../support/test-databases';

/**
 * The Postgres store sends a transaction as one simple query with its values inlined as literals
 * (store/postgres/sql-literals.ts): a hostile value must arrive as exactly the text it was, never
 * as SQL, and anything that cannot be sent is refused before a connection is taken.
 */
const HOSTILE: Array<[string, unknown]> = [
  ['a quote that would end the literal', `it's'; drop table pg_class; --`],
  ['backslashes, as E-strings read them', 'C:\\temp\\n\\\\x\\\''],
  ['a placeholder inside a value', '$1 $2 $$ $$; select 1; $$'],
  ['an empty string', ''],
  ['unicode and emoji', 'zażółć 😀 \u2028 \t\r\n'],
  ['a number', 42.5],
  ['a negative number', -7],
  ['true', true],
  ['false', false],
  ['null', null],
  ['undefined, sent as NULL', undefined],
  ['an array with quotes, braces and nulls', ['a"b', "c'd", '{e}', null, 'f\\g']],
  ['JSON with quotes and backslashes', JSON.stringify({ text: `"'\\ $1`, n: 1, nested: [null, true] })],
  ['a date', new Date('2026-12-01T12:34:56.789Z')],
];

describe('values inlined into a statement', () => {
  it('renders each as the literal node-postgres would send as its text', () => {
    expect(toSqlLiteral(null)).toBe('NULL');
    expect(toSqlLiteral(undefined)).toBe('NULL');
    expect(toSqlLiteral(true)).toBe(`'true'`);
    expect(toSqlLiteral(3)).toBe(`'3'`);
    expect(toSqlLiteral("it's")).toBe(`'it''s'`);
    expect(toSqlLiteral('a\\b')).toBe(` E'a\\\\b'`);
    expect(toSqlLiteral(['x', null])).toBe(`'{"x",NULL}'`);
  });

  it('replaces each placeholder in one pass, so a "$1" inside a value stays text', () => {
    expect(inlineParameters('select $1::text, $2::text', ['$2', 'x'])).toBe(`select '$2'::text, 'x'::text`);
    const tenDown = Array.from({ length: 10 }, (_, i) => `$${10 - i}`).join(', ');
    expect(inlineParameters(`select ${tenDown}`, Array.from({ length: 10 }, (_, i) => i + 1))).toBe(
      `select ${Array.from({ length: 10 }, (_, i) => `'${10 - i}'`).join(', ')}`,
    );
  });

  it('refuses a NUL (it would end the query string) with the SQLSTATE Postgres gives for one', () => {
    expect(() => toSqlLiteral('a\0b')).toThrow(NulInTextError);
    expect(() => inlineParameters('select $1', ['a\0b'])).toThrow(expect.objectContaining({ code: '22021' }));
    expect(() => inlineParameters('select $1', [['ok', 'a\0b']])).toThrow(NulInTextError);
  });

  it('refuses a placeholder without a value and a value without a placeholder', () => {
    expect(() => inlineParameters('select $2', ['a'])).toThrow(RangeError);
    expect(() => inlineParameters('select $0', ['a'])).toThrow(RangeError);
    expect(() => inlineParameters('select $1', ['a', 'b'])).toThrow(RangeError);
  });

  it('refuses bytes, which have no text form here', () => {
    expect(() => toSqlLiteral(Buffer.from('x'))).toThrow(TypeError);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('one-round-trip transactions on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let pool: pg.Pool;
  let db: ReturnType<typeof pgDatabase>;

  beforeAll(async () => {
    database = await createServerDatabase({ migrated: false });
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    db = pgDatabase(pool, { ownsPool: true, onError: () => undefined });
    await pool.query('create table t (id serial primary key, v text)');
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it.each(HOSTILE)('%s arrives exactly as a parameter would', async (_, value) => {
    const statement = { text: 'select $1::text as v, pg_typeof($1::text)::text as type', params: [value] };
    const [inlined] = await db.statements!([statement]);
    const parameterised = await pool.query(statement.text, [value]);
    expect(inlined!.rows).toEqual(parameterised.rows);
  });

  it('keeps casts, arrays and JSON as the parameterised statement reads them', async () => {
    const text = `select $1::text[] as arr, ($2::jsonb)->>'text' as j, $3::int + 1 as n, $4::boolean as b, $5::timestamptz as t`;
    const params = [['a"b', "c'd", null], JSON.stringify({ text: `"'\\ $1` }), 41, false, new Date('2026-12-01T00:00:00Z')];
    const [inlined] = await db.statements!([{ text, params }]);
    expect(inlined!.rows).toEqual((await pool.query(text, params)).rows);
  });

  it('runs the statements as one transaction: a failure rolls back the ones before it', async () => {
    await expect(
      db.statements!([
        { text: 'insert into t (v) values ($1)', params: ['kept?'] },
        { text: 'select 1 / $1::int', params: [0] },
      ]),
    ).rejects.toMatchObject({ code: '22012' });
    expect((await pool.query(`select count(*)::int as n from t where v = 'kept?'`)).rows[0].n).toBe(0);
    // The connection came back clean: the next transaction commits.
    await db.statements!([{ text: 'insert into t (v) values ($1)', params: ['kept'] }]);
    expect((await pool.query(`select count(*)::int as n from t where v = 'kept'`)).rows[0].n).toBe(1);
  });

  it('a NUL is refused before anything is sent', async () => {
    await expect(db.statements!([{ text: 'insert into t (v) values ($1)', params: ['a\0b'] }])).rejects.toBeInstanceOf(NulInTextError);
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });

  it('settings made with set_config(…, true) do not outlive the transaction', async () => {
    const [, inside] = await db.statements!([
      { text: `select set_config('request.jwt.claims', $1, true)`, params: ['{"sub":"x"}'] },
      { text: `select current_setting('request.jwt.claims', true) as c` },
    ]);
    expect(inside!.rows[0]).toEqual({ c: '{"sub":"x"}' });
    const after = await Promise.all([1, 2].map(() => pool.query(`select coalesce(current_setting('request.jwt.claims', true), '') as c`)));
    expect(after.map((r) => r.rows[0].c)).toEqual(['', '']);
  });
});
