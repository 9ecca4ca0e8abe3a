import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';

import { defineTool } from '@/features/ai-chat/server/http/chat-handler';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { createOpenAIResponsesProvider } from '@/features/ai-chat/providers/openai/responses-provider';
import { startChatHarness, type ChatHarness } from '@/tests/support/chat-harness';
import { createMarkerReplies, startFakeOpenAI, type FakeProviderServer } from '@/tests/support/fake-providers';
import { readChatEvents, textOf } from '@/tests/support/sse';

/**
 * A whole turn through the real handler and store with the Responses adapter against the fake
 * Responses API, which refuses reasoning it did not issue: what api.openai.com users get.
 */
let fake: FakeProviderServer;
let h: ChatHarness;
beforeAll(async () => {
  const markers = createMarkerReplies({ delayMs: 0 });
  // Reasoning streams fast here; the UI journeys watch it at the fake's own pace.
  fake = await startFakeOpenAI({ defaultReply: (body) => ({ ...markers(body), reasoningDelayMs: 1 }) as ReturnType<typeof markers> });
  const weather = defineTool({
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: ({ city }) => ({ city, forecast: 'light rain' }),
  });
  h = await startChatHarness({
    providers: { openai: createOpenAIResponsesProvider({ apiKeys: ['sk-test'], baseURL: fake.url, maxRetries: 0 }) },
    models: { openai: { defaultModel: 'gpt-5-mini' } },
    tools: [weather],
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const ofType = <T extends ChatEvent['type']>(events: readonly ChatEvent[], type: T) =>
  events.filter((event): event is Extract<ChatEvent, { type: T }> => event.type === type);

describe('a turn on the Responses API', () => {
  test('the model thinks, calls a tool, gets its reasoning back verified, and answers; the thinking is shown apart and saved', async () => {
    fake.reset();

    const events = await readChatEvents(await h.post({ message: '[[think]] [[tool]] Umbrella in Oslo?', provider: 'openai' }));

    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
    expect(ofType(events, 'reasoning-start').length).toBeGreaterThan(0);
    expect(ofType(events, 'reasoning-delta').map((event) => event.delta).join('')).toContain('Reading the question');
    expect(ofType(events, 'reasoning-end').length).toBeGreaterThan(0);
    expect(ofType(events, 'tool-result')[0]).toMatchObject({ result: { forecast: 'light rain' } });
    expect(textOf(events)).toBe('gpt-5-mini called the tool get_weather and read its result.');
    expect(textOf(events)).not.toContain('Reading the question');

    // The follow-up carried the first call's reasoning item, encrypted content and all.
    expect(fake.requests).toHaveLength(2);
    const input = fake.requests[1]!.body.input as Array<{ type?: string; encrypted_content?: string }>;
    const sentBack = input.filter((item) => item.type === 'reasoning');
    expect(sentBack).toHaveLength(1);
    expect(sentBack[0]?.encrypted_content).toMatch(/^gAAAAAB/);

    const [saved] = await h.sql<{ parts: Array<{ type: string }> }>(`select parts from public.ai_chat_messages where role = 'assistant' order by created_at desc limit 1`);
    expect(saved?.parts.map((part) => part.type)).toEqual(['reasoning', 'tool-call', 'tool-result', 'reasoning', 'text']);
    const usage = ofType(events, 'usage').at(-1);
    expect(usage?.reasoningTokens).toBeGreaterThan(0);
  });

  test('a refusal is streamed and saved as a refusal, with finish content-filter', async () => {
    fake.reset();

    const events = await readChatEvents(await h.post({ message: '[[refuse]] something harmful', provider: 'openai' }));

    expect(ofType(events, 'refusal-delta').map((event) => event.delta).join('')).toBe("I'm sorry, but I can't help with that request.");
    expect(textOf(events)).toBe('');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content-filter' });
    const [saved] = await h.sql<{ parts: unknown }>(`select parts from public.ai_chat_messages where role = 'assistant' order by created_at desc limit 1`);
    expect(saved?.parts).toEqual([{ type: 'refusal', text: "I'm sorry, but I can't help with that request." }]);
  });
});
