import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserChatStore } from '@/features/ai-chat/store/chat-store';
import { PostgresUserStore } from '@/features/ai-chat/store/postgres/postgres-user-store';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/test-databases';

/**
 * Issue 23, goal 1: the limits read per-user totals (ai_chat_usage_totals) instead of summing the
 * month's usage rows. The rows stay the record; the totals must equal their sums, whatever the
 * order, the concurrency and the rollbacks of the writes, and the windows read from the totals
 * must be the windows the rows define (tokens since today's UTC midnight, cost since the first of
 * the month's), on either side of a day's and a month's end.
 */

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Totals and the sums of the rows they stand for, per user and UTC day, where they differ. */
const MISMATCHES = `
  with sums as (
    select u.user_id, (u.created_at at time zone 'UTC')::date as day,
           sum(u.total_tokens)::bigint as tokens, coalesce(sum(u.cost), 0) as cost,
           coalesce(sum(u.total_tokens) filter (where u.status = 'reserved'), 0)::bigint as held_tokens,
           coalesce(sum(u.cost) filter (where u.status = 'reserved'), 0) as held_cost,
           count(*) filter (where u.purpose in ('turn', 'import'))::bigint as requests
      from public.ai_chat_usage u group by 1, 2
  ), kept as (
    select t.user_id, t.day, t.tokens, t.cost, t.held_tokens, t.held_cost, t.requests
      from public.ai_chat_usage_totals t
     -- A day whose rows are all gone may keep a row of zeros.
     where (t.tokens, t.cost, t.held_tokens, t.held_cost, t.requests) <> (0, 0, 0, 0, 0)
  )
  select coalesce(s.user_id, k.user_id)::text as user_id, coalesce(s.day, k.day)::text as day,
         row(s.tokens, s.cost, s.held_tokens, s.held_cost, s.requests)::text as rows_say,
         row(k.tokens, k.cost, k.held_tokens, k.held_cost, k.requests)::text as totals_say
    from sums s full join kept k on k.user_id = s.user_id and k.day = s.day
   where row(s.tokens, s.cost, s.held_tokens, s.held_cost, s.requests) is distinct from row(k.tokens, k.cost, k.held_tokens, k.held_cost, k.requests)`;

/** The windows as the rows define them, as of `at`: the sum the limits made before the totals. */
const WINDOWS_FROM_ROWS = `
  select coalesce(sum(u.total_tokens) filter (where u.created_at >= date_trunc('day', $2::timestamptz, 'UTC')), 0)::bigint as tokens_today,
         coalesce(sum(u.cost) filter (where u.created_at >= date_trunc('month', $2::timestamptz, 'UTC')), 0) as cost_this_month
    from public.ai_chat_usage u
   where u.user_id = $1`;

describe.each(databaseKinds())('usage totals on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('equal the sums of the usage rows after random concurrent reserve, hold, settle and record', async () => {
    const users: UserChatStore[] = [];
    for (let i = 0; i < 3; i++) users.push(new PostgresUserStore(db.sql, await db.createUser()));
    const next = random(23);
    const limits = { maxTokensPerDay: 150_000, maxCostPerMonth: '40', maxRequestsPerMinute: 1_000 };
    let refused = 0;
    // Each worker runs turns one after another; the workers run at once, several on one user.
    const worker = async (user: UserChatStore, seed: number) => {
      const draw = random(seed);
      for (let turn = 0; turn < 12; turn++) {
        const estimate = 1_000 + Math.floor(draw() * 20_000);
        // Titles and summaries are billed but are not requests: the totals count only the rest.
        const purpose = (['turn', 'turn', 'import', 'title', 'summary'] as const)[Math.floor(draw() * 5)];
        const reservation = await user.reserveUsage({
          purpose,
          provider: 'openai',
          model: 'gpt-4o',
          estimatedTokens: estimate,
          estimatedCost: (estimate / 1e6).toFixed(6),
          ...limits,
        });
        if (!reservation.allowed) {
          refused++;
          continue;
        }
        if (draw() < 0.5) {
          const grown = estimate + Math.floor(draw() * 10_000);
          await user.holdUsage(reservation.reservationId, { tokens: grown, cost: (grown / 1e6).toFixed(6), ...limits });
        }
        if (draw() < 0.15) continue; // a turn whose server died: its hold stays counted
        const prompt = Math.floor(draw() * estimate);
        await user.settleUsage(reservation.reservationId, {
          provider: 'openai',
          model: 'gpt-4o',
          promptTokens: prompt,
          completionTokens: Math.floor(draw() * 500),
          cost: draw() < 0.1 ? null : (prompt / 3e6).toFixed(10),
        });
        if (draw() < 0.2) {
          await user.recordUsage({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 200, completionTokens: 30, cost: '0.0000450000' });
        }
      }
    };
    await Promise.all(Array.from({ length: 9 }, (_, index) => worker(users[index % users.length]!, Math.floor(next() * 1e9))));

    expect(await db.admin(MISMATCHES)).toEqual([]);
    const [{ count }] = (await db.admin(`select count(*)::integer as count from public.ai_chat_usage`)) as [{ count: number }];
    expect(count).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(0); // the limits were reached, so the totals were what decided
    const purposes = (await db.admin(`select distinct purpose from public.ai_chat_usage order by 1`)) as { purpose: string }[];
    expect(purposes.map((row) => row.purpose)).toEqual(['import', 'summary', 'title', 'turn']);

    // A statement that fails leaves neither the row nor its totals.
    await expect(db.admin(`insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens) values ($1, 'openai', 'x', -1)`, [(users[0] as PostgresUserStore).userId])).rejects.toThrow();
    // A chat deleted (conversation_id set null) and a user deleted (every row cascades).
    const conversation = await users[1]!.createConversation({ provider: 'openai', model: 'gpt-4o' });
    await users[1]!.recordUsage({ provider: 'openai', model: 'gpt-4o', promptTokens: 10, completionTokens: 5, cost: '0.0001', conversationId: conversation.id });
    await users[1]!.deleteConversation(conversation.id);
    await db.admin(`delete from auth.users where id = $1`, [(users[2] as PostgresUserStore).userId]);
    expect(await db.admin(MISMATCHES)).toEqual([]);
    expect(await db.admin(`select 1 from public.ai_chat_usage_totals where user_id = $1`, [(users[2] as PostgresUserStore).userId])).toEqual([]);
    // An operator's truncate fires no delete trigger; the totals go with the rows all the same.
    await db.admin('truncate public.ai_chat_usage');
    expect(await db.admin(`select 1 from public.ai_chat_usage_totals`)).toEqual([]);
  });

  it('cannot be written by a signed-in user, who reads only their own', async () => {
    const [mine, theirs] = [await db.createUser(), await db.createUser()];
    for (const user of [mine, theirs]) {
      await db.admin(`insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens) values ($1, 'openai', 'gpt-4o', 100)`, [user]);
    }
    const asUser = (statement: string) =>
      db.sql.transaction(async (tx) => {
        await tx.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: mine, role: 'authenticated' }),
        ]);
        return (await tx.query(statement)).rows;
      });
    await expect(asUser(`update public.ai_chat_usage_totals set tokens = 0`)).rejects.toThrow(/permission denied/);
    await expect(asUser(`insert into public.ai_chat_usage_totals (user_id, day, tokens) values ('${mine}', current_date, -1000000)`)).rejects.toThrow(/permission denied/);
    await expect(asUser(`delete from public.ai_chat_usage_totals`)).rejects.toThrow(/permission denied/);
    expect(await asUser(`select user_id::text, tokens::integer from public.ai_chat_usage_totals`)).toEqual([{ user_id: mine, tokens: 100 }]);
  });

  it("give the rows' windows on either side of a day's and a month's end (UTC), whatever the session's time zone", async () => {
    const userId = await db.createUser();
    // Rows on both sides of the two ends: the last microsecond of November and the first of
    // December, the end of one December day and the start of the next; a hold and a row of
    // unknown price among them.
    const rows: [string, number, string | null, string][] = [
      ['2026-11-15T12:00:00Z', 700, '0.0100000000', 'settled'],
      ['2026-11-30T23:59:59.999999Z', 1_000, '0.0200000000', 'settled'],
      ['2026-12-01T00:00:00Z', 2_000, '0.0400000000', 'reserved'],
      ['2026-12-06T23:59:59.999999Z', 4_000, null, 'settled'],
      ['2026-12-07T00:00:00Z', 8_000, '0.0800000000', 'settled'],
      ['2026-12-07T13:30:00Z', 16_000, '0.1600000000', 'reserved'],
    ];
    for (const [at, tokens, cost, status] of rows) {
      await db.admin(
        `insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens, cost, status, created_at) values ($1, 'openai', 'gpt-4o', $2, $3, $4, $5)`,
        [userId, tokens, cost, status, at],
      );
    }
    // The clock, injected: each instant the limits may be asked at.
    const instants = [
      '2026-11-30T23:59:59.999999Z',
      '2026-12-01T00:00:00Z',
      '2026-12-06T23:59:59Z',
      '2026-12-07T00:00:00Z',
      '2026-12-07T23:59:59.999999Z',
      '2027-01-01T00:00:00Z',
    ];
    const check = async (zone: string) => {
      for (const at of instants) {
        const [fromRows] = await db.admin(WINDOWS_FROM_ROWS, [userId, at]);
        const [fromTotals] = await db.admin(
          `select * from (select set_config('timezone', $3, true)) as zone, public.ai_chat_usage_in_windows($1, $2::timestamptz)`,
          [userId, at, zone],
        );
        expect({ at, zone, tokens: Number(fromTotals!.tokens_today), cost: Number(fromTotals!.cost_this_month) }).toEqual({
          at,
          zone,
          tokens: Number(fromRows!.tokens_today),
          cost: Number(fromRows!.cost_this_month),
        });
      }
    };
    await check('UTC');
    await check('Pacific/Kiritimati'); // UTC+14: its midnight is not the limits' midnight
    const [dec7] = await db.admin(`select * from public.ai_chat_usage_in_windows($1, '2026-12-07T00:00:00Z')`, [userId]);
    expect({ tokens: Number(dec7!.tokens_today), cost: Number(dec7!.cost_this_month) }).toEqual({ tokens: 24_000, cost: 0.28 });

    // A hold moved across midnight (its created_at rewritten) leaves one day and joins the other.
    await db.admin(`update public.ai_chat_usage set created_at = '2026-12-06T23:00:00Z' where user_id = $1 and prompt_tokens = 16000`, [userId]);
    await check('UTC');
    expect(await db.admin(MISMATCHES)).toEqual([]);
  });
});
