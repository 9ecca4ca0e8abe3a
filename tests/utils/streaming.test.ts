import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamClaudeResponse, streamOpenAIResponse } from '@/features/ai-chat/api/bare-stream';
import { startFakeAnthropic, startFakeOpenAI, type FakeProviderServer } from '../support/fake-providers';
import { readChatEvents, textOf } from '../support/sse';

describe('bare SSE streams (utils/streaming)', () => {
  let openai: FakeProviderServer;
  let anthropic: FakeProviderServer;
  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  });
  afterAll(async () => {
    await Promise.all([openai?.close(), anthropic?.close()]);
  });

  it("streams an OpenAI reply in the module's protocol, with usage and cost", async () => {
    openai.script({ text: 'Streaming works.', chunks: 3, usage: { promptTokens: 100, completionTokens: 200 } });
    const stream = await streamOpenAIResponse({
      messages: [{ role: 'user', content: 'Hello!' }],
      model: 'gpt-4-turbo-preview',
      apiKey: 'sk-test',
      baseURL: openai.url,
    });
    const events = await readChatEvents(new Response(stream));
    expect(textOf(events)).toBe('Streaming works.');
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ totalTokens: 300, cost: '0.007' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('streams a Claude reply and ends a mid-stream failure with an error frame', async () => {
    anthropic.script({ text: 'one two three', streamError: { afterChunks: 1, type: 'overloaded_error' } });
    const stream = await streamClaudeResponse({
      messages: [{ role: 'user', content: 'Count' }],
      system: 'Be brief.',
      apiKey: 'sk-ant-test',
      baseURL: anthropic.url,
      maxRetries: 0,
    });
    const events = await readChatEvents(new Response(stream));
    expect(textOf(events)).toBe('one ');
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'overloaded' });
  });

  it('rejects before the first byte when the provider refuses, so the route can answer with a status', async () => {
    openai.script({ httpError: { status: 401 } });
    await expect(
      streamOpenAIResponse({ messages: [{ role: 'user', content: 'hi' }], apiKey: 'sk-bad', baseURL: openai.url, maxRetries: 0 }),
    ).rejects.toMatchObject({ code: 'auth' });
  });
});
