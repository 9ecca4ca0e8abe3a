import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import type { ProviderClientOptions, ProviderRequest } from '@/features/ai-chat/providers/types';
import { startFakeOpenAI, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, lastUsage, rejectionOf, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = (options: Partial<ProviderClientOptions> = {}) =>
  createOpenAIProvider({ apiKeys: ['sk-test-one'], baseURL: fake.url, maxRetries: 0, ...options });

const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'gpt-test',
  system: 'You are helpful.',
  messages: [{ role: 'user', content: 'Hello!' }],
  ...extra,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('OpenAI provider streaming', () => {
  test('text arrives as deltas in order and the stream ends with finish stop', async () => {
    fake.script({ text: 'Hello from the fake model', chunks: 4 });

    const { events, error } = await drain(provider().stream(request()));

    expect(error).toBeUndefined();
    expect(events.filter((event) => event.type === 'text-delta')).toHaveLength(4);
    expect(textOf(events)).toBe('Hello from the fake model');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hello!' },
      ],
    });
  });

  test('tool-call arguments split across chunks arrive as one tool call with parsed args', async () => {
    fake.script({
      toolCalls: [
        { id: 'call_weather', name: 'get_weather', args: { city: 'Paris', units: 'metric' }, argChunks: 5 },
        { id: 'call_time', name: 'get_time', args: { zone: 'Europe/Paris' }, argChunks: 3 },
      ],
    });

    const { events } = await drain(provider().stream(request({ tools: [weatherTool], toolChoice: 'auto' })));

    expect(events.filter((event) => event.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'call_weather', name: 'get_weather', args: { city: 'Paris', units: 'metric' } },
      { type: 'tool-call', id: 'call_time', name: 'get_time', args: { zone: 'Europe/Paris' } },
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: weatherTool }],
      tool_choice: 'auto',
    });
  });

  test('usage comes from the final chunk, cached prompt tokens included', async () => {
    fake.script({ text: 'Hi', usage: { promptTokens: 1200, completionTokens: 42, cachedPromptTokens: 1024 } });

    const { events } = await drain(provider().stream(request()));

    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 1200, completionTokens: 42, cachedPromptTokens: 1024 });
    // finish stays last even though usage arrives after the finish_reason chunk
    expect(events.at(-1)?.type).toBe('finish');
  });

  test('maxTokens and temperature are sent as max_completion_tokens and temperature', async () => {
    await drain(provider().stream(request({ maxTokens: 256, temperature: 0.2 })));

    expect(fake.requests[0]?.body).toMatchObject({ max_completion_tokens: 256, temperature: 0.2 });
  });
});

describe('OpenAI provider non-streaming', () => {
  test('complete returns the text, tool calls, usage and finish reason of one reply', async () => {
    fake.script({
      text: 'Let me check.',
      toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } }],
      usage: { promptTokens: 30, completionTokens: 12, cachedPromptTokens: 0 },
    });

    const result = await provider().complete(request({ tools: [weatherTool] }));

    expect(result).toEqual({
      text: 'Let me check.',
      toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } }],
      usage: { promptTokens: 30, completionTokens: 12, cachedPromptTokens: 0 },
      finishReason: 'tool-calls',
    });
    expect(fake.requests[0]?.body.stream).toBe(false);
  });
});

describe('OpenAI provider failures', () => {
  test('a 429 with retry-after is retried by the SDK and then succeeds', async () => {
    fake.script({ httpError: { status: 429, retryAfter: '1', retryAfterMs: '20' } }, { text: 'Recovered' });

    const { events, error } = await drain(provider({ maxRetries: 1 }).stream(request()));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Recovered');
    expect(fake.requests).toHaveLength(2);
  });

  test('a 429 that outlasts the retries is rate_limited and keeps retry-after seconds', async () => {
    fake.script({ httpError: { status: 429, retryAfter: '7' } });

    const error = await rejectionOf(provider().complete(request()));

    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(7);
  });

  test('a 401 on the first key rotates to the second key', async () => {
    fake.script({ httpError: { status: 401 } }, { text: 'Second key works' });

    const { events } = await drain(provider({ apiKeys: ['sk-revoked', 'sk-good'] }).stream(request()));

    expect(textOf(events)).toBe('Second key works');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-revoked', 'sk-good']);
  });

  test('a key that keeps getting 429 hands over to the next key', async () => {
    fake.script({ httpError: { status: 429, retryAfterMs: '1' } }, { httpError: { status: 429, retryAfterMs: '1' } }, { text: 'ok' });

    const result = await provider({ apiKeys: ['sk-busy', 'sk-idle'], maxRetries: 1 }).complete(request());

    expect(result.text).toBe('ok');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-busy', 'sk-busy', 'sk-idle']);
  });

  test('a connection cut after the first chunk throws a ChatError and is not retried', async () => {
    fake.script({ text: 'one two three four', failAfterChunks: 1 });

    const { events, error } = await drain(provider({ apiKeys: ['sk-a', 'sk-b'], maxRetries: 2 }).stream(request()));

    expect(textOf(events)).toBe('one ');
    expect(error?.code).toBe('network');
    expect(fake.requests).toHaveLength(1);
  });

  test('an error frame inside the stream ends it with provider_error', async () => {
    fake.script({ text: 'one two three', streamError: { afterChunks: 2, type: 'server_error' } });

    const { events, error } = await drain(provider().stream(request()));

    expect(textOf(events)).toBe('one two ');
    expect(error?.code).toBe('provider_error');
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });

  test('a context-length 400 maps to context_length', async () => {
    fake.script({
      httpError: {
        status: 400,
        code: 'context_length_exceeded',
        message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
      },
    });

    const error = await rejectionOf(provider().complete(request()));

    expect(error.code).toBe('context_length');
  });

  test('a 500 that outlasts the retries maps to provider_error', async () => {
    fake.script({ httpError: { status: 500, retryAfterMs: '1' } }, { httpError: { status: 500, retryAfterMs: '1' } });

    const error = await rejectionOf(provider({ maxRetries: 1 }).complete(request()));

    expect(error.code).toBe('provider_error');
    expect(fake.requests).toHaveLength(2);
  });

  test('an unreachable server maps to network', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();

    const error = await rejectionOf(createOpenAIProvider({ apiKeys: ['sk-x'], baseURL: url, maxRetries: 0 }).complete(request()));

    expect(error.code).toBe('network');
  });

  test('the error shown to users never contains the API key', async () => {
    const key = 'sk-proj-SECRET-1234567890';
    fake.script({ httpError: { status: 401 } });

    const error = await rejectionOf(provider({ apiKeys: [key] }).complete(request()));

    expect(error.code).toBe('auth');
    expect(error.message).not.toContain(key);
    expect(JSON.stringify(error.toJSON())).not.toContain(key);
    // the provider's own text stays available to logs
    expect(String(error.cause)).toContain('Incorrect API key');
  });
});

describe('OpenAI provider abort', () => {
  test('aborting mid-stream closes the HTTP request and fails with aborted', async () => {
    fake.script({ text: 'a b c d e f g h i j k l m n o p', delayMs: 30 });
    const controller = new AbortController();
    const seen: string[] = [];

    const run = drain(
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
    const { error } = await run;
    await fake.waitForAborts(1);

    expect(seen).toEqual(['a ']);
    expect(error?.code).toBe('aborted');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  test('an already aborted signal fails with aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const error = await rejectionOf(provider().complete(request({ signal: controller.signal })));

    expect(error.code).toBe('aborted');
  });
});
