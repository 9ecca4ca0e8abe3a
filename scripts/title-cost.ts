/**
 * What a model-written title costs (issue 20), per provider, through the real chat handler, the
 * providers' SDKs and the loopback fakes: one new chat (a question and a ~250-word answer), then
 * the title call after it. The fakes answer the title call with a four-word title and report as
 * usage the prompt the SDK really sent, counted with the module's tokenizer (o200k for OpenAI, the
 * estimate for Claude); the cost is what the ledger billed, from the module's price table.
 *
 *   node --conditions=react-server --import tsx scripts/title-cost.ts
 */
import { fileURLToPath } from 'node:url';
import { createChatHandler } from '../features/ai-chat/server/http/chat-handler';
import { createAnthropicProvider } from '../features/ai-chat/providers/anthropic/provider';
import { createOpenAIProvider } from '../features/ai-chat/providers/openai/chat-completions-provider';
import { tokensOf } from '../features/ai-chat/server/ledger/accounting';
import { TITLE_MODELS } from '../features/ai-chat/server/turn/model-title';
import { createEmbeddedChatStore } from '../features/ai-chat/store/embedded/embedded-chat-store';
import type { ProviderName } from '../features/ai-chat/providers/types';
import { startFakeAnthropic, startFakeOpenAI } from '../tests/support/fake-providers';
import type { FakeReply } from '../tests/support/fake-providers/script';
import { readChatEvents } from '../tests/support/sse';

const SUPABASE_DIR = fileURLToPath(new URL('../supabase', import.meta.url));
const QUESTION = 'Can you explain what a monad is in functional programming, with an example in Haskell or TypeScript?';
const ANSWER = Array.from({ length: 25 }, (_, index) =>
  index % 5 === 0 ? 'A monad is a way to chain computations that carry a context, such as a possible failure.' : 'The bind operation takes a wrapped value and a function that returns a wrapped value.',
).join(' ');
const TITLE = 'Monads in functional programming';

async function measure(provider: ProviderName): Promise<string> {
  const model = TITLE_MODELS[provider];
  const titleReply = (body: Record<string, unknown>): FakeReply => {
    const prompt = JSON.stringify([body.system ?? '', body.messages ?? []]);
    return { text: TITLE, usage: { promptTokens: tokensOf(prompt, provider, model), completionTokens: tokensOf(TITLE, provider, model) } };
  };
  const fake = provider === 'openai' ? await startFakeOpenAI({ defaultReply: titleReply }) : await startFakeAnthropic({ defaultReply: titleReply });
  const store = createEmbeddedChatStore({ dataDir: 'memory://', supabaseDir: SUPABASE_DIR });
  const after: Promise<unknown>[] = [];
  const handler = createChatHandler({
    store,
    providers:
      provider === 'openai'
        ? { openai: createOpenAIProvider({ apiKeys: ['sk-test'], baseURL: fake.url }) }
        : { anthropic: createAnthropicProvider({ apiKeys: ['sk-ant-test'], baseURL: fake.url }) },
    defaultProvider: provider,
    titles: {},
    waitUntil: (work) => void after.push(work),
  });
  try {
    fake.script({ text: ANSWER });
    await readChatEvents(
      await handler.chat(new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: QUESTION }) })),
    );
    await Promise.all(after);
    const db = await store.database();
    const rows = (await db.query<{ prompt_tokens: number; completion_tokens: number; cost: string }>(
      `select prompt_tokens, completion_tokens, cost::text as cost from public.ai_chat_usage where model = $1`,
      [model],
    )).rows;
    const title = (await db.query<{ title: string }>(`select title from public.ai_chat_conversations`)).rows[0]?.title;
    const row = rows[0]!;
    const per1000 = (Number(row.cost) * 1000).toFixed(4);
    return `| ${provider} | ${model} | ${row.prompt_tokens} | ${row.completion_tokens} | $${Number(row.cost).toFixed(8)} | $${per1000} | ${title} |`;
  } finally {
    await store.close();
    await fake.close();
  }
}

console.log('| provider | title model | prompt tokens | completion tokens | cost of a title | per 1,000 chats | title |');
console.log('|---|---|---|---|---|---|---|');
for (const provider of ['openai', 'anthropic'] as const) console.log(await measure(provider));
