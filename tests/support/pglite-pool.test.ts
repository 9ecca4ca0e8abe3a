import { describe, expect, it } from 'vitest';
import { leasePglite, pgliteLeaseCounts, type PgliteLease } from './pglite-pool';
import { SUPABASE_DIR } from './test-databases';

/**
 * The pool lends a worker's databases from file to file (tests/support/pglite-pool.ts). What a
 * file did must not reach the next one: its rows, its session's role and settings, its prepared
 * statements, its late calls; and a database whose schema a file changed is never lent again.
 */
describe('the PGlite pool a worker lends its files', () => {
  /**
   * Gives `first` back and leases until the pool has nothing kept from earlier files: `reused` says
   * whether one of those leases was `first`'s database again.
   */
  async function releaseAndLeaseAgain(first: PgliteLease): Promise<{ second: PgliteLease; reused: boolean }> {
    await first.release();
    const leases: PgliteLease[] = [];
    for (;;) {
      const booted = pgliteLeaseCounts().booted;
      const lease = await leasePglite(SUPABASE_DIR);
      leases.push(lease);
      if (lease.serial === first.serial || pgliteLeaseCounts().booted > booted) break;
    }
    const second = leases.pop()!;
    await Promise.all(leases.map((lease) => lease.release()));
    return { second, reused: second.serial === first.serial };
  }

  it("lends a database back as the snapshot left it: none of the last file's rows, role, settings or prepared statements", async () => {
    const first = await leasePglite(SUPABASE_DIR);
    await first.db.exec(`
      insert into auth.users (id, email) values ('00000000-0000-4000-8000-000000000001', 'first@example.test');
      insert into public.ai_chat_conversations (user_id, title, provider, model) values ('00000000-0000-4000-8000-000000000001', 'left behind', 'openai', 'gpt-4o');
      prepare left_behind as select 1;
      select set_config('request.jwt.claims', '{"sub":"00000000-0000-4000-8000-000000000001"}', false);
      set role authenticated;`);
    const { second, reused } = await releaseAndLeaseAgain(first);
    try {
      expect(reused).toBe(true);
      const { rows } = await second.db.query(`
        select current_user as role,
               coalesce(current_setting('request.jwt.claims', true), '') as claims,
               (select count(*)::int from auth.users) as users,
               (select count(*)::int from public.ai_chat_conversations) as conversations,
               (select count(*)::int from pg_prepared_statements) as prepared,
               (select count(*)::int from ai_chat_local.applied_migrations) > 0 as migrated`);
      expect(rows).toEqual([{ role: 'postgres', claims: '', users: 0, conversations: 0, prepared: 0, migrated: true }]);
    } finally {
      await second.release();
    }
  });

  it('never lends again a database whose schema or policies a file changed', async () => {
    for (const change of [
      'create table public.stray (id int)',
      'drop policy "ai_chat_conversations: owner reads" on public.ai_chat_conversations',
      'alter table public.ai_chat_conversations disable row level security',
      'insert into auth.users (id) select gen_random_uuid() from generate_series(1, 50); analyze auth.users',
      'grant insert on public.ai_chat_usage to authenticated',
      `delete from ai_chat_local.applied_migrations`,
    ]) {
      const first = await leasePglite(SUPABASE_DIR);
      await first.db.exec(change);
      const discarded = pgliteLeaseCounts().discarded;
      const { second, reused } = await releaseAndLeaseAgain(first);
      try {
        expect({ change, reused, discarded: pgliteLeaseCounts().discarded - discarded }).toEqual({ change, reused: false, discarded: 1 });
        const { rows } = await second.db.query(`
          select to_regclass('public.stray') as stray, relrowsecurity,
                 (select count(*)::int from pg_policy where polrelid = c.oid) > 0 as policies
          from pg_class c where oid = 'public.ai_chat_conversations'::regclass`);
        expect(rows).toEqual([{ stray: null, relrowsecurity: true, policies: true }]);
      } finally {
        await second.release();
      }
    }
  });

  it('a file that left a transaction open gives up its database', async () => {
    const first = await leasePglite(SUPABASE_DIR);
    await first.db.exec('begin; insert into auth.users (id) values (gen_random_uuid())');
    const { second, reused } = await releaseAndLeaseAgain(first);
    try {
      expect(reused).toBe(false);
      expect((await second.db.query('select count(*)::int as users from auth.users')).rows).toEqual([{ users: 0 }]);
    } finally {
      await second.release();
    }
  });

  it("a file's call after it gave its database back fails, and writes nothing into the next file's", async () => {
    const first = await leasePglite(SUPABASE_DIR);
    const late = first.db;
    const { second, reused } = await releaseAndLeaseAgain(first);
    try {
      expect(reused).toBe(true);
      expect(() => late.query(`insert into auth.users (id) values (gen_random_uuid())`)).toThrow(/revoked/);
      expect((await second.db.query('select count(*)::int as users from auth.users')).rows).toEqual([{ users: 0 }]);
    } finally {
      await second.release();
    }
  });
});
