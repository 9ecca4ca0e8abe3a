import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { describeCost } from '@/features/ai-chat/providers/pricing';
import { startChatHarness, type ChatHarness } from '@/tests/support/chat-harness';
import { anthropicPromptTokens } from '@/tests/support/fake-providers/fake-anthropic';
import { readChatEvents } from '@/tests/support/sse';

// Through the real handler: the second turn of a Claude chat reads the first from the cache, and
// what the user is billed prices reads and writes at their own rates.
const MODEL = 'claude-haiku-4-5';
const SYSTEM = Array.from({ length: 1_500 }, (_, index) => `guideline${index}`).join(' ');

let h: ChatHarness;
beforeAll(async () => {
  h = await startChatHarness(
    { systemPrompt: SYSTEM, models: { anthropic: { defaultModel: MODEL, allowedModels: [MODEL] } } },
    { anthropic: { defaultReply: (body) => ({ text: 'Understood, here is my answer.', usage: { promptTokens: anthropicPromptTokens(body), completionTokens: 5 } }) } },
  );
}, 120_000);
afterAll(() => h.close());

async function turn(message: string, conversationId?: string) {
  const events = await readChatEvents(await h.post({ message, provider: 'anthropic', model: MODEL, ...(conversationId ? { conversationId } : {}) }));
  const start = events.find((event) => event.type === 'start');
  const usage = events.find((event) => event.type === 'usage');
  if (start?.type !== 'start' || usage?.type !== 'usage') throw new Error(`turn failed: ${JSON.stringify(events.at(-1))}`);
  return { conversationId: start.conversationId, usage };
}

describe('prompt caching through the chat handler', () => {
  test('the follow-up turn reads the history from the cache, and the usage event and ledger bill it at the cache rates', async () => {
    const first = await turn('Hello, please read the guidelines.');
    const second = await turn('Now summarise them in one line.', first.conversationId);

    const firstPrompt = anthropicPromptTokens(h.anthropic.requests[0]!.body);
    const secondPrompt = anthropicPromptTokens(h.anthropic.requests[1]!.body);
    expect(h.anthropic.requests[1]!.body.cache_control).toEqual({ type: 'ephemeral' });
    expect(first.usage).toMatchObject({ promptTokens: firstPrompt });
    expect(second.usage).toMatchObject({ promptTokens: secondPrompt });

    const expected = describeCost({
      provider: 'anthropic',
      model: MODEL,
      promptTokens: secondPrompt,
      completionTokens: 5,
      cachedPromptTokens: firstPrompt,
      cacheWriteTokens: secondPrompt - firstPrompt,
    });
    // The first turn wrote its whole prompt (1.25× input); the second read it back (0.1× input).
    expect(first.usage.cost).toBe(describeCost({ provider: 'anthropic', model: MODEL, promptTokens: firstPrompt, completionTokens: 5, cacheWriteTokens: firstPrompt })!.total);
    expect(second.usage.cost).toBe(expected!.total);
    // Well under the fresh price of the same prompt.
    const fresh = describeCost({ provider: 'anthropic', model: MODEL, promptTokens: secondPrompt, completionTokens: 5 });
    expect(Number(second.usage.cost)).toBeLessThan(Number(fresh!.total) / 3);
    const rows = await h.sql<{ cached_prompt_tokens: number; cost: string }>(
      `select cached_prompt_tokens, cost::text from public.ai_usage where status = 'settled' order by created_at`,
    );
    expect(rows.at(-1)).toMatchObject({ cached_prompt_tokens: firstPrompt });
    expect(Number(rows.at(-1)!.cost)).toBe(Number(expected!.total));
  });
});
