import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * The functions a turn calls. A `language sql` function with `set search_path` is planned again on
 * every call (never inlined); PL/pgSQL caches its plans per connection. The branch read was
 * ~2.4 ms a call as SQL and ~0.15 ms as PL/pgSQL on PostgreSQL 15 here, before the first token.
 */
const PER_TURN_FUNCTIONS = [
  'ai_chat_branch',
  'ai_chat_branch_tail',
  'ai_chat_usage_in_windows',
  'ai_chat_usage_summary',
  'ai_chat_reserve_usage',
  'ai_chat_hold_usage',
  'ai_chat_settle_usage',
  'ai_chat_create_conversation',
  'ai_chat_append_message',
  'ai_chat_newest_leaf',
  'ai_chat_reply_start',
  'ai_chat_reply_tick',
  'ai_chat_reply_generating',
];

describe.each(databaseKinds())('functions on the turn path, on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(() => db.close());

  it('are PL/pgSQL (plans cached per connection), keep search_path empty, and run as the caller', async () => {
    const rows = await db.admin(
      `select p.proname as name, l.lanname as language, p.prosecdef as definer, p.proconfig as config
         from pg_proc p join pg_language l on l.oid = p.prolang join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname = any($1::text[])
        order by 1`,
      [PER_TURN_FUNCTIONS],
    );
    expect(rows.map((row) => row.name)).toEqual([...PER_TURN_FUNCTIONS].sort());
    for (const row of rows) {
      expect({ name: row.name, language: row.language, definer: row.definer }).toEqual({ name: row.name, language: 'plpgsql', definer: false });
      expect(row.config).toEqual(['search_path=""']);
    }
  });
});
