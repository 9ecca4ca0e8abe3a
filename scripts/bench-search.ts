/**
 * Search across chats on the embedded store (PGlite, in memory, the real migrations): the median
 * and p95 time of one search for a user with 1,000 and with 10,000 messages, through the store's
 * own call (UserChatStore.search: RLS, the GIN index, ranking and the snippets), as the route
 * makes it. Another user's 2,000 messages share the database, so RLS has rows to keep out.
 *
 *   npm run bench:search            # prints the figures as markdown
 *   npm run bench:search -- --quick # fewer queries, to check it still runs
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { searchTerms } from '../features/ai-chat/protocol/search';
import type { ImportedMessage, UserChatStore } from '../features/ai-chat/store/chat-store';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import { percentile } from './lib/percentiles';

const quick = process.argv.includes('--quick');
const SIZES = [1_000, 10_000];
const MESSAGES_PER_CHAT = 100;
const RUNS_PER_QUERY = quick ? 3 : 15;

// A deterministic text generator: common words, a long tail of rarer ones (Zipf-like), so a
// query can hit thousands of messages (a common word), dozens, or one.
let seed = 42;
/** mulberry32: a small seeded generator, the same text on every run. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const COMMON = 'the a to of and in is it you that for on with as this be are can your use or from not by one all have an'.split(' ');
const SYLLABLES = 'ka lo mi ne ru sa ti vo be da fe gu hi jo ku la mo ni po qu re si tu va we xi yo zu'.split(' ');
const RARE = Array.from({ length: 20_000 }, (_, index) => {
  let word = '';
  for (let n = index + 7; word.length < 6 || n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});
function sentence(words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i += 1) {
    out.push(random() < 0.45 ? COMMON[Math.floor(random() * COMMON.length)]! : RARE[Math.floor(RARE.length * random() ** 3)]!);
  }
  return out.join(' ');
}

async function seedUser(user: UserChatStore, messages: number, tag: string): Promise<void> {
  for (let chat = 0; chat * MESSAGES_PER_CHAT < messages; chat += 1) {
    const count = Math.min(MESSAGES_PER_CHAT, messages - chat * MESSAGES_PER_CHAT);
    const list: ImportedMessage[] = Array.from({ length: count }, (_, index) => ({
      parentIndex: index === 0 ? null : index - 1,
      role: index % 2 === 0 ? 'user' : 'assistant',
      content: index % 2 === 0 ? sentence(15) : sentence(60),
    }));
    await user.importConversation({ title: `${tag} chat ${chat} ${sentence(3)}`, systemPrompt: null, summary: null, provider: 'openai', model: 'gpt-4o', messages: list, activeIndex: count - 1 });
  }
}

/** Queries as people type them: a rare whole word, a word's start, two words, a common word. */
const QUERIES = [RARE[3]!, RARE[40]!, RARE[700]!, RARE[15_000]!, RARE[2]!.slice(0, 3), RARE[90]!.slice(0, 4), `${RARE[5]} ${RARE[9]}`, 'the', 'you can', 'zzzz'];

async function timeSearches(user: UserChatStore): Promise<Map<string, number[]>> {
  const times = new Map(QUERIES.map((query) => [query, [] as number[]]));
  for (const query of QUERIES) await user.search(searchTerms(query)); // warm the plans
  for (let run = 0; run < RUNS_PER_QUERY; run += 1) {
    for (const query of QUERIES) {
      const started = performance.now();
      await user.search(searchTerms(query));
      times.get(query)!.push(performance.now() - started);
    }
  }
  return times;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const perQuery: string[] = [];
  for (const size of SIZES) {
    const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: path.join(process.cwd(), 'supabase') });
    const user = await store.forUser(`bench-search-${size}`);
    const other = await store.forUser('bench-search-other');
    const seeding = performance.now();
    await seedUser(user, size, 'mine');
    await seedUser(other, 2_000, 'other');
    const seededMs = performance.now() - seeding;
    const db = await store.database();
    await db.exec('analyze');
    const byQuery = await timeSearches(user);
    const times = [...byQuery.values()].flat();
    const hits = await Promise.all(QUERIES.map(async (query) => (await user.search(searchTerms(query))).length));
    rows.push(
      `| ${size.toLocaleString('en-US')} | ${Math.min(...times).toFixed(1)} ms | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms | ${Math.max(...times).toFixed(1)} ms | ${times.length} | ${(seededMs / 1000).toFixed(0)} s | ${hits.join(', ')} |`,
    );
    perQuery.push(`| ${size.toLocaleString('en-US')} | ${QUERIES.map((query) => percentile(byQuery.get(query)!, 50).toFixed(1)).join(' | ')} |`);
    await store.close();
  }
  console.log(`Search on PGlite (in memory), one user's messages plus 2,000 of another user; load average ${loadavg()[0]!.toFixed(2)}.`);
  console.log('Queries: ' + QUERIES.map((query) => `\`${query}\``).join(', ') + '\n');
  console.log('| messages | min | median | p95 | max | searches | seeding | results per query (max 20) |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) console.log(row);
  console.log(`\nMedian per query (ms):\n\n| messages | ${QUERIES.map((query) => `\`${query}\``).join(' | ')} |`);
  console.log(`| ---: | ${QUERIES.map(() => '---:').join(' | ')} |`);
  for (const row of perQuery) console.log(row);
}

await main();
