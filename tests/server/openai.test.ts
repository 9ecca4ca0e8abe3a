import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';

import { sendOpenAIMessage } from '@/features/ai-chat/api/openai';
import { startFakeOpenAI, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, rejectionOf, textOf } from '../providers/collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
afterEach(() => vi.unstubAllEnvs());

const connection = () => ({ apiKey: 'sk-test', baseURL: fake.url, maxRetries: 0 });

const functions = [
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

describe('sendOpenAIMessage', () => {
  test('streams a reply for the spec call shape, system message included', async () => {
    fake.script({ text: 'Hi! How can I help?' });

    const response = await sendOpenAIMessage({
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hello!' },
      ],
      model: 'gpt-4-turbo-preview',
      temperature: 0.7,
      stream: true,
      ...connection(),
    });
    const { events } = await drain(response);

    expect(textOf(events)).toBe('Hi! How can I help?');
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-4-turbo-preview',
      temperature: 0.7,
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hello!' },
      ],
    });
  });

  test('legacy functions and functionCall become tools, and the reply carries function_call', async () => {
    fake.script({ toolCalls: [{ name: 'get_weather', args: { city: 'Lisbon' } }] });

    const response = await sendOpenAIMessage({
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
      model: 'gpt-test',
      functions,
      functionCall: 'auto',
      ...connection(),
    });

    expect(response.function_call).toBeDefined();
    expect(JSON.parse(response.function_call!.arguments)).toEqual({ city: 'Lisbon' });
    expect(response.function_call?.name).toBe('get_weather');
    expect(response.finishReason).toBe('tool-calls');
    expect(response.model).toBe('gpt-test');
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: functions[0] }],
      tool_choice: 'auto',
    });
  });

  test('a named functionCall forces that tool', async () => {
    await sendOpenAIMessage({
      messages: [{ role: 'user', content: 'Weather?' }],
      model: 'gpt-test',
      functions,
      functionCall: { name: 'get_weather' },
      ...connection(),
    });

    expect(fake.requests[0]?.body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });

  test('a legacy function result answers the function_call it follows', async () => {
    const response = await sendOpenAIMessage({
      messages: [
        { role: 'user', content: 'Weather in Lisbon?' },
        { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
        { role: 'function', name: 'get_weather', content: '{"tempC":21}' },
      ],
      model: 'gpt-test',
      functions,
      ...connection(),
    });

    expect(response.function_call).toBeUndefined();
    const [, assistant, tool] = fake.requests[0]?.body.messages as Array<Record<string, unknown>>;
    const call = (assistant?.tool_calls as Array<{ id: string; function: unknown }>)[0];
    expect(call?.function).toEqual({ name: 'get_weather', arguments: '{"city":"Lisbon"}' });
    expect(tool).toEqual({ role: 'tool', tool_call_id: call?.id, content: '{"tempC":21}' });
  });

  test('non-streaming returns content, usage and finish reason', async () => {
    fake.script({ text: 'Plain answer', usage: { promptTokens: 8, completionTokens: 2, cachedPromptTokens: 0 } });

    const response = await sendOpenAIMessage({ messages: [{ role: 'user', content: 'Q' }], model: 'gpt-test', ...connection() });

    expect(response).toEqual({
      content: 'Plain answer',
      toolCalls: [],
      usage: { promptTokens: 8, completionTokens: 2, cachedPromptTokens: 0 },
      finishReason: 'stop',
      model: 'gpt-test',
    });
  });

  test('keys and base URL default from OPENAI_API_KEY (comma-separated) and OPENAI_BASE_URL', async () => {
    vi.stubEnv('OPENAI_API_KEY', ' sk-env-revoked , sk-env-good ');
    vi.stubEnv('OPENAI_BASE_URL', fake.url);
    fake.script({ httpError: { status: 401 } }, { text: 'From env' });

    const response = await sendOpenAIMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'gpt-test', maxRetries: 0 });

    expect(response.content).toBe('From env');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-env-revoked', 'sk-env-good']);
  });

  test('without a key it fails with not_configured naming OPENAI_API_KEY', async () => {
    vi.stubEnv('OPENAI_API_KEY', '');

    const error = await rejectionOf(sendOpenAIMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'gpt-test' }));

    expect(error.code).toBe('not_configured');
    expect(error.message).toContain('OPENAI_API_KEY');
  });

  test('a refused key rejects the streaming call itself, before any event', async () => {
    fake.script({ httpError: { status: 401 } });

    const error = await rejectionOf(
      sendOpenAIMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'gpt-test', stream: true, ...connection() }),
    );

    expect(error.code).toBe('auth');
    expect(error.message).not.toContain('sk-test');
  });
});
