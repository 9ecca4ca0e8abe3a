import 'server-only';
import pg from 'pg';

/** node-postgres' own conversion of a parameter to its text form (Date, array, Buffer, JSON …). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/** What Postgres answers for a NUL in text (it cannot hold one): the same SQLSTATE, so the same 400. */
export class NulInTextError extends Error {
  readonly code = '22021';
  constructor() {
    super('invalid byte sequence for encoding "UTF8": 0x00');
    this.name = 'NulInTextError';
  }
}

/**
 * A parameter as the literal that carries exactly the text node-postgres would send for it as a
 * text-format parameter: `prepareValue`, then `escapeLiteral` (quotes and backslashes doubled,
 * `E''` when there is a backslash), or a bare NULL. Quoted, the literal stays of unknown type, as
 * a parameter is, so `$n::type` casts and function arguments resolve as they did.
 */
export function toSqlLiteral(value: unknown): string {
  const text = prepareValue(value);
  if (text === null || text === undefined) return 'NULL';
  // A Buffer (bytea) has no text form here: none of the statements sent this way takes one.
  if (typeof text !== 'string') throw new TypeError('ai-chat: only text-form values can be inlined into a statement');
  // A NUL would end the query string on the wire; Postgres refuses it in text anyway.
  if (text.includes('\0')) throw new NulInTextError();
  return pg.escapeLiteral(text);
}

const PLACEHOLDER = /\$(\d+)/g;

/**
 * One of the store's own SQL texts with each `$n` replaced by its value's literal, in one pass
 * (so a `$1` inside a value is never read as a placeholder). Only for our fixed texts, none of
 * which has `$` in a string, a quoted name or a dollar-quoted body; every placeholder must
 * have its value, and every value its placeholder.
 */
export function inlineParameters(text: string, params: readonly unknown[] = []): string {
  const used = new Set<number>();
  const inlined = text.replace(PLACEHOLDER, (_, digits: string) => {
    const index = Number(digits);
    if (index < 1 || index > params.length) throw new RangeError(`ai-chat: $${digits} has no value (${params.length} given)`);
    used.add(index);
    return toSqlLiteral(params[index - 1]);
  });
  if (used.size !== params.length) throw new RangeError(`ai-chat: ${params.length - used.size} value(s) have no placeholder`);
  return inlined;
}
