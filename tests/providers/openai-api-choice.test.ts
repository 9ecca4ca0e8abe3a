import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { sendOpenAIMessage } from '@/features/ai-chat/api/openai';
import { parseChatEnv } from '@/features/ai-chat/config/env';
import { createConfiguredOpenAIProvider, defaultOpenAIApi } from '@/features/ai-chat/providers/openai/configured-provider';
import { startFakeOpenAI, type FakeProviderServer } from '@/tests/support/fake-providers';
import type { OpenAIFakeReply } from '@/tests/support/fake-providers/fake-openai-wire';

import { drain, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('which OpenAI API is used', () => {
  test('OpenAI itself gets the Responses API; a server behind OPENAI_BASE_URL gets Chat Completions', () => {
    expect(parseChatEnv({}).openaiApi).toBe('responses');
    expect(parseChatEnv({ OPENAI_BASE_URL: 'http://localhost:11434/v1' }).openaiApi).toBe('chat-completions');
    expect(parseChatEnv({ OPENAI_BASE_URL: 'https://openrouter.ai/api/v1' }).openaiApi).toBe('chat-completions');
    expect(defaultOpenAIApi('https://api.openai.com/v1')).toBe('responses');
  });

  test('OPENAI_API overrides the default either way, and a wrong value is refused by name', () => {
    expect(parseChatEnv({ OPENAI_API: 'chat-completions' }).openaiApi).toBe('chat-completions');
    expect(parseChatEnv({ OPENAI_API: 'responses', OPENAI_BASE_URL: 'http://127.0.0.1:4010/v1' }).openaiApi).toBe('responses');
    expect(() => parseChatEnv({ OPENAI_API: 'assistants' })).toThrow(/OPENAI_API/);
  });

  test('the configured provider speaks the chosen API on the wire', async () => {
    const ask = { model: 'gpt-5-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
    await drain(createConfiguredOpenAIProvider({ apiKeys: ['sk'], baseURL: fake.url, maxRetries: 0 }).stream(ask));
    await drain(createConfiguredOpenAIProvider({ apiKeys: ['sk'], baseURL: fake.url, maxRetries: 0, api: 'responses' }).stream(ask));

    expect(fake.requests.map((seen) => seen.path)).toEqual(['/v1/chat/completions', '/v1/responses']);
  });

  test('sendOpenAIMessage takes the api option, and both APIs give the same reply shape', async () => {
    fake.script({ text: 'From Responses' }, { text: 'From Chat Completions' });
    const options = { apiKey: 'sk', baseURL: fake.url, maxRetries: 0, model: 'gpt-4.1-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

    const viaResponses = await sendOpenAIMessage({ ...options, api: 'responses' });
    const viaChat = await sendOpenAIMessage(options);
    const streamed = await sendOpenAIMessage({ ...options, api: 'responses', stream: true });

    expect(viaResponses).toMatchObject({ content: 'From Responses', finishReason: 'stop', model: 'gpt-4.1-mini' });
    expect(viaChat).toMatchObject({ content: 'From Chat Completions', finishReason: 'stop' });
    expect(textOf((await drain(streamed)).events)).toBe('Echo: hi');
    expect(fake.requests.map((seen) => seen.path)).toEqual(['/v1/responses', '/v1/chat/completions', '/v1/responses']);
  });

  test('sendOpenAIMessage reports a refusal as a refusal on either API', async () => {
    const refusals: OpenAIFakeReply[] = [{ refusal: 'No.' }, { refusal: 'Still no.' }];
    fake.script(...refusals);
    const options = { apiKey: 'sk', baseURL: fake.url, maxRetries: 0, model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'bad idea' }] };

    await expect(sendOpenAIMessage({ ...options, api: 'responses' })).resolves.toMatchObject({ content: '', refusal: 'No.', finishReason: 'content-filter' });
    await expect(sendOpenAIMessage(options)).resolves.toMatchObject({ content: '', refusal: 'Still no.', finishReason: 'content-filter' });
  });
});
