import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import type { ProviderMessage, ProviderRequest } from '@/features/ai-chat/providers/types';
import { startFakeAnthropic, type FakeProviderServer } from '@/tests/support/fake-providers';
import { anthropicPromptTokens } from '@/tests/support/fake-providers/fake-anthropic';

import { drain, lastUsage } from './collect-events';

// The fake counts every prompt token itself (system included) and simulates the cache on them.
let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeAnthropic({ defaultReply: (body) => ({ text: 'Noted, thank you.', usage: { promptTokens: anthropicPromptTokens(body), completionTokens: 4 } }) });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = () => createAnthropicProvider({ apiKeys: ['sk-ant-one'], baseURL: fake.url, maxRetries: 0 });
const LONG_SYSTEM = Array.from({ length: 1_200 }, (_, index) => `rule${index}`).join(' ');
const request = (messages: ProviderMessage[], extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'claude-haiku-4-5',
  system: LONG_SYSTEM,
  messages,
  reasoning: 'off',
  ...extra,
});
const firstTurn: ProviderMessage[] = [{ role: 'user', content: 'Please remember the rules above.' }];
const secondTurn: ProviderMessage[] = [...firstTurn, { role: 'assistant', content: 'Noted, thank you.' }, { role: 'user', content: 'Now list the first three.' }];

describe('prompt caching', () => {
  test('is asked for with the automatic top-level cache_control unless turned off', async () => {
    await drain(provider().stream(request(firstTurn)));
    await drain(provider().stream(request(firstTurn, { promptCache: false })));

    expect(fake.requests[0]!.body.cache_control).toEqual({ type: 'ephemeral' });
    expect(fake.requests[1]!.body).not.toHaveProperty('cache_control');
  });

  test('the first turn writes its prompt to the cache; the follow-up reads it back and writes only the new turns', async () => {
    const first = lastUsage((await drain(provider().stream(request(firstTurn)))).events)!;
    const second = lastUsage((await drain(provider().stream(request(secondTurn)))).events)!;

    const firstTotal = anthropicPromptTokens(fake.requests[0]!.body);
    const secondTotal = anthropicPromptTokens(fake.requests[1]!.body);
    expect(first).toMatchObject({ promptTokens: firstTotal, cachedPromptTokens: 0, cacheWriteTokens: firstTotal });
    expect(second).toMatchObject({ promptTokens: secondTotal, cachedPromptTokens: firstTotal, cacheWriteTokens: secondTotal - firstTotal });
  });

  test('with caching off every turn pays the whole prompt fresh', async () => {
    await drain(provider().stream(request(firstTurn, { promptCache: false })));
    const second = lastUsage((await drain(provider().stream(request(secondTurn, { promptCache: false })))).events)!;

    expect(second).toEqual({ type: 'usage', promptTokens: anthropicPromptTokens(fake.requests[1]!.body), completionTokens: 4, cachedPromptTokens: 0 });
  });

  test('a prompt shorter than the cache minimum is neither written nor read', async () => {
    await drain(provider().stream(request(firstTurn, { system: 'Be brief.' })));
    const second = lastUsage((await drain(provider().stream(request(secondTurn, { system: 'Be brief.' })))).events)!;

    expect(second).toMatchObject({ cachedPromptTokens: 0 });
    expect(second).not.toHaveProperty('cacheWriteTokens');
  });
});
