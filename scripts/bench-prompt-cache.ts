/**
 * What Anthropic prompt caching saves on a 20-turn Claude conversation, through the real chat
 * handler (history from the store, context fitting, accounting) and the real Anthropic adapter
 * and SDK, against the loopback fake Anthropic with its prompt-cache simulation:
 *
 *   node --conditions=react-server --import tsx scripts/bench-prompt-cache.ts [--model claude-sonnet-5-5]
 *
 * The conversation is run twice, each time on a fresh store and a fresh fake (an empty cache):
 * with caching on (the adapter's default: automatic top-level cache_control) and off
 * (`promptCache: false` on every provider request). It prints prompt tokens billed by kind
 * (fresh, cache read, cache write) and the cost from the module's own price table, as markdown.
 * Token counts are the fake's (one word, one token; system prompt and history included), so the
 * ratio is what carries over to the live API, not the absolute figures.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createChatHandler } from '../features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '../features/ai-chat/providers/anthropic/provider';
import type { ChatProvider, ProviderUsage } from '../features/ai-chat/providers/types';
import { describeCost } from '../features/ai-chat/providers/pricing';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import { startFakeAnthropic } from '../tests/support/fake-providers';
import { anthropicPromptTokens } from '../tests/support/fake-providers/fake-anthropic';
import { readChatEvents } from '../tests/support/sse';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'claude-sonnet-5-5' }, turns: { type: 'string', default: '20' } } });
const MODEL = values.model;
const SUPABASE_DIR = fileURLToPath(new URL('../supabase', import.meta.url));
const TURNS = Number(values.turns);

const TOPICS = ['invoices', 'refunds', 'shipping', 'accounts', 'passwords', 'exports', 'webhooks', 'rate limits', 'teams', 'billing'];

/** A support assistant's system prompt of about 2,600 words: the part every turn re-sends. */
const SYSTEM_PROMPT = [
  'You are the support assistant of Acme Cloud. Answer in plain language, cite the policy you rely on, and never promise what the policy does not allow.',
  ...Array.from({ length: 60 }, (_, index) => {
    const topic = TOPICS[index % TOPICS.length]!;
    return `Policy ${index + 1} (${topic}): when a customer asks about ${topic}, first confirm the account and the plan, then explain the rule that applies in two or three sentences, link the help page for ${topic}, and offer the next step a person would take.`;
  }),
].join('\n');

const question = (turn: number) =>
  `Question ${turn}: a customer on the Team plan asks how ${TOPICS[turn % TOPICS.length]} work when they move from monthly to yearly billing halfway through a cycle, and whether anything changes for their existing data or users.`;

function replyTo(turn: number): string {
  const topic = TOPICS[turn % TOPICS.length]!;
  return Array.from(
    { length: 8 },
    (_, sentence) => `Point ${sentence + 1} on ${topic}: under the policy for ${topic}, a move to yearly billing keeps the data and users as they are, and the change takes effect at the next cycle.`,
  ).join(' ');
}

interface Tally {
  calls: number;
  prompt: number;
  fresh: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  /** Priced at the provider boundary, call by call. */
  cost: number;
  /** What the handler settled in ai_chat_usage. */
  recordedCost: number;
  /** The last turn's prompt: read from the cache, written to it, fresh. */
  lastTurn: [number, number, number];
}

/** The real adapter with caching on or off, noting each call's final usage. */
function metered(inner: ChatProvider, promptCache: boolean, calls: ProviderUsage[]): ChatProvider {
  return {
    name: inner.name,
    async *stream(request) {
      let last: ProviderUsage | undefined;
      for await (const event of inner.stream({ ...request, promptCache })) {
        if (event.type === 'usage') last = event;
        yield event;
      }
      if (last) calls.push(last);
    },
    async complete(request) {
      const result = await inner.complete({ ...request, promptCache });
      calls.push(result.usage);
      return result;
    },
  };
}

async function runConversation(promptCache: boolean): Promise<Tally> {
  let turn = 0;
  const fake = await startFakeAnthropic({
    defaultReply: (body) => {
      const text = replyTo(turn);
      return { text, delayMs: 0, usage: { promptTokens: anthropicPromptTokens(body), completionTokens: text.split(/\s+/).length } };
    },
  });
  const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
  const calls: ProviderUsage[] = [];
  const anthropic = metered(createAnthropicProvider({ apiKeys: ['sk-ant-bench'], baseURL: fake.url, maxRetries: 0 }), promptCache, calls);
  const handler = createChatHandler({
    store,
    providers: { anthropic },
    defaultProvider: 'anthropic',
    models: { anthropic: { defaultModel: MODEL, allowedModels: [MODEL] } },
    systemPrompt: SYSTEM_PROMPT,
  });
  try {
    await store.database();
    let conversationId: string | undefined;
    for (turn = 1; turn <= TURNS; turn += 1) {
      const response = await handler.chat(
        new Request('http://localhost/api/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: question(turn), provider: 'anthropic', model: MODEL, ...(conversationId ? { conversationId } : {}) }),
        }),
      );
      const events = await readChatEvents(response);
      const failed = events.find((event) => event.type === 'error');
      if (response.status !== 200 || failed) throw new Error(`turn ${turn} failed: ${response.status} ${JSON.stringify(failed)}`);
      const start = events.find((event) => event.type === 'start');
      if (start?.type === 'start') conversationId = start.conversationId;
    }
    const database = await store.database();
    const [row] = (await database.query<{ cost: string | null }>(`select coalesce(sum(cost), 0)::text as cost from public.ai_chat_usage where status = 'settled'`)).rows;

    const tally: Tally = { calls: 0, prompt: 0, fresh: 0, cacheRead: 0, cacheWrite: 0, output: 0, cost: 0, recordedCost: Number(row?.cost ?? 0), lastTurn: [0, 0, 0] };
    for (const usage of calls) {
      const writes = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
      tally.calls += 1;
      tally.prompt += usage.promptTokens;
      tally.cacheRead += usage.cachedPromptTokens;
      tally.cacheWrite += writes;
      tally.fresh += usage.promptTokens - usage.cachedPromptTokens - writes;
      tally.output += usage.completionTokens;
      tally.cost += Number(describeCost({ provider: 'anthropic', model: MODEL, ...usage })?.total ?? NaN);
      tally.lastTurn = [usage.cachedPromptTokens, writes, usage.promptTokens - usage.cachedPromptTokens - writes];
    }
    return tally;
  } finally {
    await Promise.all([store.close(), fake.close()]);
  }
}

const fmt = (value: number) => value.toLocaleString('en-US');
const usd = (value: number) => `$${value.toFixed(4)}`;

const on = await runConversation(true);
const off = await runConversation(false);
const price = describeCost({ provider: 'anthropic', model: MODEL, promptTokens: 1_000_000, completionTokens: 0 });
const model = price?.model;

console.log(`### Prompt caching on a ${TURNS}-turn Claude conversation (${MODEL})\n`);
console.log(`Prices: $${model?.input}/M fresh input, $${model?.cachedInput}/M cache read, 1.25× input for a 5-minute cache write, $${model?.output}/M output.\n`);
console.log('| caching | provider calls | prompt tokens | fresh | cache read | cache write | output tokens | cost (priced per call) | cost settled in ai_chat_usage | last turn: read / write / fresh |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [label, tally] of [['on (default)', on], ['off', off]] as const) {
  console.log(
    `| ${label} | ${tally.calls} | ${fmt(tally.prompt)} | ${fmt(tally.fresh)} | ${fmt(tally.cacheRead)} | ${fmt(tally.cacheWrite)} | ${fmt(tally.output)} | ${usd(tally.cost)} | ${usd(tally.recordedCost)} | ${tally.lastTurn.map(fmt).join(' / ')} |`,
  );
}
const saved = 1 - on.cost / off.cost;
const inputCost = (tally: Tally) => tally.cost - (tally.output * Number(model?.output ?? 0)) / 1_000_000;
console.log(`\nCaching cut the conversation's cost by ${(saved * 100).toFixed(1)} % (input alone: ${((1 - inputCost(on) / inputCost(off)) * 100).toFixed(1)} %); ${((on.cacheRead / on.prompt) * 100).toFixed(1)} % of prompt tokens came from the cache.`);
