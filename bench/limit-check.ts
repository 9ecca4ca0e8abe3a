import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import { attachDbActivityCounter } from './support/db-activity';
import { SUPABASE_DIR } from './support/paths';
import { summarize, type Summary } from './support/stats';

/**
 * Benchmark 3: the usage-limit check a turn makes before calling the provider. `reserveUsage` with
 * all three limits set, on the embedded store, for a user with a month of settled usage.
 */

const USER_ID = '00000000-0000-4000-8000-00000000b3c7';
/** Settled usage rows this month: a heavy user, ~100 turns a day for a month. */
const USAGE_ROWS = 3_000;

export interface LimitCheckResult {
  usageRows: number;
  reserve: Summary;
  /** Per reserveUsage call, from the store's own traffic. */
  transactions: number;
  statements: number;
  labels: string[];
}

export async function benchLimitCheck({ runs, warmup }: { runs: number; warmup: number }): Promise<LimitCheckResult> {
  const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
  try {
    const db = await store.database();
    const user = await store.forUser(USER_ID, 'bench@localhost');
    // Spread over the month so far, so both the day and the month sums have rows to add up.
    await db.query(
      `insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens, completion_tokens, cost, status, created_at, settled_at)
       select $1, 'openai', 'gpt-4o', 1200, 400, 0.007, 'settled', t, t
         from (select greatest(date_trunc('month', now(), 'UTC'), now() - (i * (now() - date_trunc('month', now(), 'UTC')) / $2)) as t
                 from generate_series(1, $2) as i) as spread`,
      [USER_ID, USAGE_ROWS],
    );
    const counter = attachDbActivityCounter(db);
    const request = {
      provider: 'openai',
      model: 'gpt-4o',
      estimatedTokens: 5_000,
      estimatedCost: '0.05',
      maxTokensPerDay: 100_000_000,
      maxCostPerMonth: 100_000,
      maxRequestsPerMinute: 1_000,
    };

    const reservations: string[] = [];
    const reserve = async () => {
      const reservation = await user.reserveUsage(request);
      if (!reservation.allowed) throw new Error(`limit check refused: ${reservation.reason}`);
      reservations.push(reservation.reservationId);
    };
    const before = counter.snapshot();
    await reserve();
    const after = counter.snapshot();

    // Every timed call sees the same table: the previous reservation is removed, untimed.
    const reserveOnly: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      const start = performance.now();
      await reserve();
      if (i >= warmup) reserveOnly.push(performance.now() - start);
      await db.query(`delete from public.ai_chat_usage where id = any($1::uuid[])`, [reservations.splice(0)]);
    }

    return {
      usageRows: USAGE_ROWS,
      reserve: summarize(reserveOnly),
      transactions: after.transactions - before.transactions,
      statements: after.statements - before.statements,
      labels: after.labels.slice(before.labels.length),
    };
  } finally {
    await store.close();
  }
}
