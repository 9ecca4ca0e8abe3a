import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';

import { sendClaudeMessage } from '@/features/ai-chat/api/claude';
import { startFakeAnthropic, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, rejectionOf, textOf } from '../providers/collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
afterEach(() => vi.unstubAllEnvs());

const connection = () => ({ apiKey: 'sk-ant-test', baseURL: fake.url, maxRetries: 0 });

describe('sendClaudeMessage', () => {
  test('streams a reply for the spec call shape, with system sent top-level', async () => {
    fake.script({ text: 'Hello! What can I do for you?' });

    const response = await sendClaudeMessage({
      messages: [{ role: 'user', content: 'Hello!' }],
      system: 'You are helpful.',
      model: 'claude-3-opus-20240229',
      temperature: 0.7,
      stream: true,
      ...connection(),
    });
    const { events } = await drain(response);

    expect(textOf(events)).toBe('Hello! What can I do for you?');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'claude-3-opus-20240229',
      system: 'You are helpful.',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }],
    });
  });

  test('system messages kept in the list join the top-level system prompt', async () => {
    await sendClaudeMessage({
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello!' },
      ],
      system: 'You are helpful.',
      model: 'claude-test',
      ...connection(),
    });

    expect(fake.requests[0]?.body.system).toBe('You are helpful.\n\nAnswer in French.');
    expect(fake.requests[0]?.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }]);
  });

  test('non-streaming returns content, tool calls with function_call, usage and model', async () => {
    fake.script({
      text: 'Checking.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', args: { city: 'Rome' } }],
      usage: { promptTokens: 50, completionTokens: 7, cachedPromptTokens: 20 },
    });

    const response = await sendClaudeMessage({
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
      model: 'claude-test',
      tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      ...connection(),
    });

    expect(response).toEqual({
      content: 'Checking.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', args: { city: 'Rome' } }],
      functionCall: { name: 'get_weather', arguments: '{"city":"Rome"}' },
      function_call: { name: 'get_weather', arguments: '{"city":"Rome"}' },
      usage: { promptTokens: 50, completionTokens: 7, cachedPromptTokens: 20 },
      finishReason: 'tool-calls',
      model: 'claude-test',
    });
  });

  test('keys and base URL default from ANTHROPIC_API_KEY (comma-separated) and ANTHROPIC_BASE_URL', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-env-revoked,sk-ant-env-good');
    vi.stubEnv('ANTHROPIC_BASE_URL', fake.url);
    fake.script({ httpError: { status: 401 } }, { text: 'From env' });

    const response = await sendClaudeMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'claude-test', maxRetries: 0 });

    expect(response.content).toBe('From env');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-ant-env-revoked', 'sk-ant-env-good']);
  });

  test('without a key it fails with not_configured naming ANTHROPIC_API_KEY', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');

    const error = await rejectionOf(sendClaudeMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'claude-test' }));

    expect(error.code).toBe('not_configured');
    expect(error.message).toContain('ANTHROPIC_API_KEY');
  });

  test('an overloaded stream error after the first tokens surfaces while iterating', async () => {
    fake.script({ text: 'one two three', streamError: { afterChunks: 1, type: 'overloaded_error' } });

    const response = await sendClaudeMessage({ messages: [{ role: 'user', content: 'Hi' }], model: 'claude-test', stream: true, ...connection() });
    const { events, error } = await drain(response);

    expect(textOf(events)).toBe('one ');
    expect(error?.code).toBe('overloaded');
    expect(fake.requests).toHaveLength(1);
  });
});
