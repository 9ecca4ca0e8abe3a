import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import type { ProviderClientOptions, ProviderRequest } from '@/features/ai-chat/providers/types';
import { startFakeAnthropic, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, lastUsage, rejectionOf, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = (options: Partial<ProviderClientOptions> = {}) =>
  createAnthropicProvider({ apiKeys: ['sk-ant-one'], baseURL: fake.url, maxRetries: 0, ...options });

const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'claude-test',
  system: 'You are helpful.',
  messages: [{ role: 'user', content: 'Hello!' }],
  ...extra,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic provider streaming', () => {
  test('text arrives as deltas in order and the stream ends with finish stop', async () => {
    fake.script({ text: 'Hello from the fake Claude', chunks: 5 });

    const { events, error } = await drain(provider().stream(request()));

    expect(error).toBeUndefined();
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(5);
    expect(textOf(events)).toBe('Hello from the fake Claude');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'claude-test',
      stream: true,
      system: 'You are helpful.',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }],
    });
  });

  test('input_json_delta fragments arrive as one tool call with parsed args', async () => {
    fake.script({
      text: 'Checking.',
      toolCalls: [{ id: 'toolu_weather', name: 'get_weather', args: { city: 'Paris', units: 'metric' }, argChunks: 6 }],
    });

    const { events } = await drain(provider().stream(request({ tools: [weatherTool], toolChoice: { name: 'get_weather' } })));

    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'toolu_weather', name: 'get_weather', args: { city: 'Paris', units: 'metric' } },
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ name: 'get_weather', description: weatherTool.description, input_schema: weatherTool.parameters }],
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
  });

  test('usage: input and cache reads at message_start, output at message_delta, last one has both', async () => {
    fake.script({ text: 'Hi', usage: { promptTokens: 2100, completionTokens: 64, cachedPromptTokens: 2000 } });

    const { events } = await drain(provider().stream(request()));

    const usages = events.filter((event) => event.type === 'usage');
    expect(usages[0]).toMatchObject({ promptTokens: 2100, cachedPromptTokens: 2000 });
    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 2100, completionTokens: 64, cachedPromptTokens: 2000 });
  });

  test('tool calls and results go back as tool_use and tool_result blocks', async () => {
    await drain(
      provider().stream(
        request({
          messages: [
            { role: 'user', content: 'Weather in Oslo?' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'get_weather', args: { city: 'Oslo' } }] },
            { role: 'tool', toolCallId: 'toolu_1', name: 'get_weather', content: '{"tempC":3}' },
          ],
          tools: [weatherTool],
        }),
      ),
    );

    expect(fake.requests[0]?.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"tempC":3}' }] },
    ]);
  });
});

describe('Anthropic provider non-streaming', () => {
  test('complete returns the text, tool calls, usage and finish reason of one message', async () => {
    fake.script({
      text: 'Let me check.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', args: { city: 'Oslo' } }],
      usage: { promptTokens: 40, completionTokens: 9, cachedPromptTokens: 16 },
    });

    const result = await provider().complete(request({ tools: [weatherTool], maxTokens: 512 }));

    expect(result).toEqual({
      text: 'Let me check.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', args: { city: 'Oslo' } }],
      usage: { promptTokens: 40, completionTokens: 9, cachedPromptTokens: 16 },
      finishReason: 'tool-calls',
    });
    expect(fake.requests[0]?.body).toMatchObject({ max_tokens: 512 });
    expect(fake.requests[0]?.body.stream).toBeUndefined();
  });
});

describe('Anthropic provider failures', () => {
  test('a 429 with retry-after is retried by the SDK and then succeeds', async () => {
    fake.script({ httpError: { status: 429, retryAfter: '1', retryAfterMs: '20' } }, { text: 'Recovered' });

    const { events, error } = await drain(provider({ maxRetries: 1 }).stream(request()));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Recovered');
    expect(fake.requests).toHaveLength(2);
  });

  test('a 401 on the first key rotates to the second key', async () => {
    fake.script({ httpError: { status: 401 } }, { text: 'Second key works' });

    const { events } = await drain(provider({ apiKeys: ['sk-ant-revoked', 'sk-ant-good'] }).stream(request()));

    expect(textOf(events)).toBe('Second key works');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-ant-revoked', 'sk-ant-good']);
  });

  test('a 529 maps to overloaded', async () => {
    fake.script({ httpError: { status: 529, retryAfter: '3' } });

    const error = await rejectionOf(provider().complete(request()));

    expect(error.code).toBe('overloaded');
    expect(error.retryAfterSeconds).toBe(3);
  });

  test('an overloaded_error event mid-stream maps to overloaded and is not retried', async () => {
    fake.script({ text: 'one two three four', streamError: { afterChunks: 2, type: 'overloaded_error' } });

    const { events, error } = await drain(provider({ apiKeys: ['sk-a', 'sk-b'], maxRetries: 2 }).stream(request()));

    expect(textOf(events)).toBe('one two ');
    expect(error?.code).toBe('overloaded');
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  test('a connection cut after the first chunk throws a ChatError and is not retried', async () => {
    fake.script({ text: 'one two three four', failAfterChunks: 1 });

    const { events, error } = await drain(provider({ apiKeys: ['sk-a', 'sk-b'], maxRetries: 2 }).stream(request()));

    expect(textOf(events)).toBe('one ');
    expect(error?.code).toBe('network');
    expect(fake.requests).toHaveLength(1);
  });

  test('"prompt is too long" maps to context_length', async () => {
    fake.script({ httpError: { status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum' } });

    const error = await rejectionOf(provider().complete(request()));

    expect(error.code).toBe('context_length');
  });

  test('the error shown to users never contains the API key', async () => {
    const key = 'sk-ant-api03-SECRET-abcdef';
    fake.script({ httpError: { status: 401, message: `invalid x-api-key: ${key}` } });

    const error = await rejectionOf(provider({ apiKeys: [key] }).complete(request()));

    expect(error.code).toBe('auth');
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.toJSON())).not.toContain(key);
  });
});

describe('Anthropic provider abort', () => {
  test('aborting mid-stream closes the HTTP request and fails with aborted', async () => {
    fake.script({ text: 'a b c d e f g h i j k l m n o p', delayMs: 30 });
    const controller = new AbortController();
    const seen: string[] = [];

    const { error } = await drain(
      (async function* () {
        for await (const event of provider().stream(request({ signal: controller.signal }))) {
          if (event.type === 'text-delta') {
            seen.push(event.delta);
            controller.abort();
          }
          yield event;
        }
      })(),
    );
    await fake.waitForAborts(1);

    expect(seen).toEqual(['a ']);
    expect(error?.code).toBe('aborted');
    expect(fake.requests[0]?.aborted).toBe(true);
  });
});

describe('cache writes', () => {
  test('are reported apart from the prompt, split by lifetime, so they can be billed above the input rate', async () => {
    const { toUsage } = await import('@/features/ai-chat/providers/anthropic/response');
    expect(
      toUsage({
        input_tokens: 100,
        cache_read_input_tokens: 50,
        cache_creation_input_tokens: 300,
        cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 100 },
        output_tokens: 7,
      }),
    ).toEqual({ promptTokens: 450, completionTokens: 7, cachedPromptTokens: 50, cacheWriteTokens: 200, cacheWrite1hTokens: 100 });
    // Without the breakdown every write is a 5-minute one; without writes, nothing extra.
    expect(toUsage({ input_tokens: 10, cache_creation_input_tokens: 40, output_tokens: 1 })).toMatchObject({ cacheWriteTokens: 40, cacheWrite1hTokens: 0 });
    expect(toUsage({ input_tokens: 10, output_tokens: 1 })).toEqual({ promptTokens: 10, completionTokens: 1, cachedPromptTokens: 0 });
  });
});
