import os from 'node:os';
import pg from 'pg';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import { createPostgresChatStore } from '../features/ai-chat/store/postgres/postgres-chat-store';
import type { ChatStore, UserChatStore } from '../features/ai-chat/store/chat-store';
import { SUPABASE_DIR } from './support/paths';
import { summarize, type Summary } from './support/stats';

/**
 * Issue 23, goal 1: does a reservation cost grow with the user's history? Two users on one
 * database, one with SMALL settled usage rows this month and one with LARGE, reserve in turn
 * (interleaved, so load on the shared machine hits both alike) through the real store's
 * `reserveUsage` with all three limits set. The reservation is removed after each call, untimed,
 * so every call sees the same table.
 *
 *   node --conditions=react-server --import tsx bench/limit-scaling.ts [postgres://…/any-db]
 *
 * With a URL, the same runs on a fresh database created (and dropped) on that server.
 */

const SMALL = 100;
const LARGE = 100_000;
const RUNS = Number(process.env.RUNS ?? 200);
const WARMUP = 30;

interface Side {
  rows: number;
  user: UserChatStore;
  userId: string;
  times: number[];
}

export interface LimitScalingResult {
  store: string;
  small: Summary;
  large: Summary;
  ratio: number;
}

const request = {
  provider: 'openai',
  model: 'gpt-4o',
  estimatedTokens: 5_000,
  estimatedCost: '0.05',
  maxTokensPerDay: 100_000_000,
  maxCostPerMonth: 100_000,
  maxRequestsPerMinute: 1_000,
};

async function seed(admin: (text: string, params?: unknown[]) => Promise<unknown>, userId: string, rows: number): Promise<void> {
  // Spread over the month so far, so both the day and the month windows have rows to count.
  await admin(
    `insert into public.ai_chat_usage (user_id, provider, model, prompt_tokens, completion_tokens, cost, status, created_at, settled_at)
     select $1::uuid, 'openai', 'gpt-4o', 1200, 400, 0.007, 'settled', t, t
       from (select greatest(date_trunc('month', now(), 'UTC'), now() - (i * (now() - date_trunc('month', now(), 'UTC')) / $2::integer)) as t
               from generate_series(1, $2::integer) as i) as spread`,
    [userId, rows],
  );
  await admin('analyze public.ai_chat_usage');
}

async function run(label: string, store: ChatStore & { forUser(id: string): Promise<UserChatStore> }, admin: (text: string, params?: unknown[]) => Promise<unknown>): Promise<LimitScalingResult> {
  const sides: Side[] = [];
  for (const rows of [SMALL, LARGE]) {
    const userId = crypto.randomUUID();
    const user = await store.forUser(userId);
    await seed(admin, userId, rows);
    sides.push({ rows, user, userId, times: [] });
  }
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // Alternate which goes first, so neither always follows the untimed delete.
    for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
      const start = performance.now();
      const reservation = await side.user.reserveUsage(request);
      const elapsed = performance.now() - start;
      if (!reservation.allowed) throw new Error(`refused: ${reservation.reason}`);
      if (i >= WARMUP) side.times.push(elapsed);
      await admin('delete from public.ai_chat_usage where id = $1', [reservation.reservationId]);
    }
  }
  const [small, large] = sides.map((side) => summarize(side.times)) as [Summary, Summary];
  return { store: label, small, large, ratio: large.median / small.median };
}

async function main(): Promise<void> {
  const load = os.loadavg();
  const results: LimitScalingResult[] = [];
  const embedded = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
  try {
    const db = await embedded.database();
    results.push(await run('PGlite', embedded, (text, params) => db.query(text, params)));
  } finally {
    await embedded.close();
  }
  const url = process.argv[2];
  if (url) {
    const name = `ai_chat_limit_bench_${process.pid}`;
    const maintenance = new pg.Client({ connectionString: url });
    await maintenance.connect();
    await maintenance.query(`create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const store = createPostgresChatStore({ connectionString: target.toString(), migrate: true, supabaseDir: SUPABASE_DIR, maxConnections: 2 });
    try {
      await store.ready();
      results.push(await run('PostgreSQL', store, (text, params) => store.pool.query(text, params as unknown[])));
    } finally {
      await store.close();
      await maintenance.query(`drop database if exists ${name} with (force)`);
      await maintenance.end();
    }
  }
  console.log(`load average before: ${load.map((x) => x.toFixed(2)).join(' ')}; after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`| store | ${SMALL} rows, median | p95 | ${LARGE.toLocaleString('en')} rows, median | p95 | ratio (goal ≤ 1.5) |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(`| ${r.store} | ${r.small.median.toFixed(2)} ms | ${r.small.p95.toFixed(2)} ms | ${r.large.median.toFixed(2)} ms | ${r.large.p95.toFixed(2)} ms | ${r.ratio.toFixed(2)} |`);
  }
}

await main();
