import os from 'node:os';
import OpenAI from 'openai';
import pg from 'pg';
import { createChatHandler } from '../features/ai-chat/server/http/chat-handler';
import { createOpenAIProvider } from '../features/ai-chat/providers/openai/chat-completions-provider';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import { createPostgresChatStore } from '../features/ai-chat/store/postgres/postgres-chat-store';
import type { ChatStore } from '../features/ai-chat/store/chat-store';
import type { FakeReply } from '../tests/support/fake-providers';
import { startFakeOpenAIThread } from './support/fake-openai-thread';
import { SUPABASE_DIR } from './support/paths';
import { summarize } from './support/stats';

/**
 * Issue 23, goals 1 and 3: time to first token of a follow-up in a SHORT- and a LONG-message
 * conversation, beside the reference (the openai SDK alone, one message), interleaved in one run.
 * Each history message is WORDS words (~WORDS tokens, its count stored), so a long history is
 * more than gpt-4o's 128,000-token window and fitting drops its oldest part.
 *
 *   node --conditions=react-server --import tsx bench/history-scaling.ts [postgres://…/any-db]
 *
 * PGlite always; with a URL, also the Postgres store on a fresh database made (and dropped) there.
 */

const SHORT = 10;
const LONG = 2_000;
const WORDS = 150;
const CHUNKS = 20;
/** Messages of the long history that fit gpt-4o's 128,000 tokens beside a 4,096-token reply. */
const SENT_OF_LONG = 809;
const RUNS = Number(process.env.RUNS ?? 40);
const WARMUP = 8;
const API_KEY = 'sk-bench-0123456789';
const MODEL = 'gpt-4o';
const PROMPT = 'And then?';

const reply: FakeReply = { text: 'tok '.repeat(CHUNKS), chunks: CHUNKS, usage: { promptTokens: 20, completionTokens: CHUNKS } };

type Admin = (text: string, params?: unknown[]) => Promise<unknown>;

async function run(label: string, store: ChatStore, admin: Admin, fakeUrl: string): Promise<string[]> {
  const handler = createChatHandler({
    store,
    providers: { openai: createOpenAIProvider({ apiKeys: [API_KEY], baseURL: fakeUrl, maxRetries: 0 }) },
    models: { openai: { defaultModel: MODEL } },
    limits: { maxTokensPerDay: 1_000_000_000, maxCostPerMonth: 1_000_000, maxRequestsPerMinute: 1_000_000 },
  });
  const client = new OpenAI({ apiKey: API_KEY, baseURL: fakeUrl, maxRetries: 0 });

  const turn = async (body: Record<string, unknown>): Promise<{ ttft: number; start?: { conversationId: string; assistantMessageId: string } }> => {
    const begin = performance.now();
    const response = await handler.chat(
      new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    );
    if (!response.ok || !response.body) throw new Error(`handler answered ${response.status}: ${await response.text()}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let sse = '';
    let ttft = NaN;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = decoder.decode(value, { stream: true });
      sse += piece;
      if (Number.isNaN(ttft) && piece.includes('"type":"text-delta"')) ttft = performance.now() - begin;
    }
    const first = JSON.parse(sse.split('\n\n')[0]!.slice('data: '.length)) as { conversationId: string; assistantMessageId: string };
    return { ttft, start: first };
  };
  const sdkTurn = async (messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }]): Promise<number> => {
    const begin = performance.now();
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    let ttft = NaN;
    for await (const chunk of stream) if (Number.isNaN(ttft) && chunk.choices[0]?.delta?.content) ttft = performance.now() - begin;
    return ttft;
  };

  /** A conversation of `size` messages: one real turn, then a chain below it written straight to the table. */
  const conversation = async (size: number) => {
    const { start } = await turn({ message: 'Hello' });
    const more = size - 2;
    const [{ leaf }] = (await admin(
      `with chain as (
         select i, gen_random_uuid() as id from generate_series(1, $3::integer) as i
       ), inserted as (
         insert into public.ai_chat_messages (id, conversation_id, parent_id, role, content, tokens, created_at)
         select c.id, $1::uuid, coalesce(lag(c.id) over (order by c.i), $2::uuid),
                case when c.i % 2 = 1 then 'user' else 'assistant' end,
                repeat('word ', $4::integer), $4::integer, clock_timestamp() + c.i * interval '1 millisecond'
           from chain c
         returning id, created_at
       )
       select id::text as leaf from inserted order by created_at desc limit 1`,
      [start!.conversationId, start!.assistantMessageId, more, WORDS],
    )) as [{ leaf: string }];
    await admin(`update public.ai_chat_conversations set active_leaf_id = $2 where id = $1`, [start!.conversationId, leaf]);
    await admin('analyze public.ai_chat_messages');
    // Answered under the same parent every time, so every follow-up sees the same history.
    return { message: PROMPT, conversationId: start!.conversationId, parentMessageId: leaf };
  };

  const bodies = { short: await conversation(SHORT), long: await conversation(LONG) };
  // The prompt the long follow-up sends (what fits gpt-4o's window after the reply's room), for the
  // SDK alone: what any server pays to send that much, beside what the module adds to it.
  const longPrompt: OpenAI.ChatCompletionMessageParam[] = [
    ...Array.from({ length: SENT_OF_LONG }, (_, i): OpenAI.ChatCompletionMessageParam => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: 'word '.repeat(WORDS) })),
    { role: 'user', content: PROMPT },
  ];
  const times = { sdk: [] as number[], sdkLong: [] as number[], new: [] as number[], short: [] as number[], long: [] as number[] };
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const measured = i >= WARMUP;
    const sdk = await sdkTurn();
    const sdkLong = await sdkTurn(longPrompt);
    const fresh = (await turn({ message: PROMPT })).ttft;
    const short = (await turn(bodies.short)).ttft;
    const long = (await turn(bodies.long)).ttft;
    if (measured) {
      times.sdk.push(sdk);
      times.sdkLong.push(sdkLong);
      times.new.push(fresh);
      times.short.push(short);
      times.long.push(long);
    }
  }
  const m = (xs: number[]) => summarize(xs).median;
  const row = (name: string, xs: number[]) => `| ${label} | ${name} | ${m(xs).toFixed(2)} ms | ${summarize(xs).p95.toFixed(2)} ms | ${(m(xs) - m(times.sdk)).toFixed(2)} ms |`;
  return [
    row('openai SDK alone (reference)', times.sdk),
    row('new conversation', times.new),
    row(`follow-up, ${SHORT} messages`, times.short),
    row(`follow-up, ${LONG.toLocaleString('en')} messages`, times.long),
    row(`openai SDK alone, the long follow-up's prompt (${SENT_OF_LONG} messages)`, times.sdkLong),
    `| ${label} | ${LONG.toLocaleString('en')}-message follow-up over the SDK alone with its prompt | ${(m(times.long) - m(times.sdkLong)).toFixed(2)} ms | | |`,
    `| ${label} | ${LONG.toLocaleString('en')} ÷ ${SHORT} messages, median TTFT (goal ≤ 1.5) | ${(m(times.long) / m(times.short)).toFixed(2)} | | |`,
  ];
}

async function main(): Promise<void> {
  const load = os.loadavg();
  const fake = await startFakeOpenAIThread(reply);
  const lines: string[] = [];
  try {
    if (!process.env.SKIP_PGLITE) {
      const embedded = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
      try {
        const db = await embedded.database();
        lines.push(...(await run('PGlite', embedded, (text, params) => db.query(text, params).then((r) => r.rows), fake.url)));
      } finally {
        await embedded.close();
      }
    }
    const url = process.argv[2];
    if (url) {
      const name = `ai_chat_history_bench_${process.pid}`;
      const maintenance = new pg.Client({ connectionString: url });
      await maintenance.connect();
      await maintenance.query(`create database ${name}`);
      const target = new URL(url);
      target.pathname = `/${name}`;
      const store = createPostgresChatStore({ connectionString: target.toString(), migrate: true, supabaseDir: SUPABASE_DIR, localUser: true });
      try {
        await store.ready();
        lines.push(...(await run('PostgreSQL', store, (text, params) => store.pool.query(text, params as unknown[]).then((r) => r.rows), fake.url)));
      } finally {
        await store.close();
        await maintenance.query(`drop database if exists ${name} with (force)`);
        await maintenance.end();
      }
    }
  } finally {
    await fake.close();
  }
  console.log(`load average before: ${load.map((x) => x.toFixed(2)).join(' ')}; after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| store | turn | TTFT median | p95 | over the reference |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const line of lines) console.log(line);
}

await main();
