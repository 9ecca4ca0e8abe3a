import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createOpenAIResponsesProvider } from '@/features/ai-chat/providers/openai/responses-provider';
import type { ProviderRequest } from '@/features/ai-chat/providers/types';
import { createMarkerReplies, startFakeOpenAI, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, lastUsage, textOf } from './collect-events';

/** The fake's markers on its Responses API, as the app (OPENAI_API=responses) meets them. */
let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI({ defaultReply: createMarkerReplies({ delayMs: 0, slowDelayMs: 0, retryAfterSeconds: 0 }) });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = (maxRetries = 0) => createOpenAIResponsesProvider({ apiKeys: ['sk-fake'], baseURL: fake.url, maxRetries });
const say = (content: string, extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'gpt-5-mini',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('fake Responses API markers', () => {
  test('no marker: the echo, with usage that moves', async () => {
    const { events } = await drain(provider().stream(say('hello there')));

    expect(textOf(events)).toBe('Echo from gpt-5-mini: hello there');
    expect(lastUsage(events)?.promptTokens).toBeGreaterThan(8);
  });

  test('[[429]] fails once and the SDK’s retry gets the reply; [[fail]] fails every time', async () => {
    const retried = await drain(provider(1).stream(say('[[429]] again')));
    expect(textOf(retried.events)).toBe('Echo from gpt-5-mini: again');
    expect(fake.requests).toHaveLength(2);

    const failed = await drain(provider(1).stream(say('[[fail]] now')));
    expect(failed.error?.code).toBe('provider_error');
  });

  test('[[cut]] drops the connection mid-reply', async () => {
    const { events, error } = await drain(provider().stream(say('[[cut]] go')));

    expect(textOf(events)).not.toBe('');
    expect(error?.code).toBe('network');
  });

  test('[[long]] and [[code]] answer in markdown', async () => {
    const long = await drain(provider().stream(say('[[long]]')));
    const code = await drain(provider().stream(say('[[code]]')));

    expect(textOf(long.events).split(/\s+/).length).toBeGreaterThan(400);
    expect(textOf(code.events)).toContain('```ts');
  });

  test('[[tool]] calls the offered tool, and answers once its output comes back', async () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    const first = await drain(provider().stream(say('[[tool]] weather', { tools })));
    const call = first.events.find((event) => event.type === 'tool-call');
    expect(call).toMatchObject({ name: 'lookup', args: { city: 'Paris' } });
    if (call?.type !== 'tool-call') throw new Error('no tool call');

    const second = await drain(
      provider().stream(
        say('', {
          tools,
          messages: [
            { role: 'user', content: '[[tool]] weather' },
            { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: call.name, args: call.args }] },
            { role: 'tool', toolCallId: call.id, name: call.name, content: '{"sky":"clear"}' },
          ],
        }),
      ),
    );
    expect(textOf(second.events)).toBe('gpt-5-mini called the tool lookup and read its result.');
  });
});
