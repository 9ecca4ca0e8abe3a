import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import type { ProviderRequest } from '@/features/ai-chat/providers/types';
import { createMarkerReplies, startFakeOpenAI, type FakeProviderServer, type FakeReply } from '@/tests/support/fake-providers';
import type { OpenAIFakeReply } from '@/tests/support/fake-providers/fake-openai-wire';

import { drain, lastUsage, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = () => createOpenAIProvider({ apiKeys: ['sk-test'], baseURL: fake.url, maxRetries: 0 });
const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Hello!' }],
  ...extra,
});
const script = (...replies: OpenAIFakeReply[]) => fake.script(...(replies as FakeReply[]));
const refusalOf = (events: Awaited<ReturnType<typeof drain>>['events']) =>
  events.map((event) => (event.type === 'refusal-delta' ? event.delta : '')).join('');

describe('OpenAI Chat Completions: what today’s models say and take', () => {
  test('a refusal streamed in delta.refusal reaches the caller and finishes as content-filter', async () => {
    script({ refusal: "I'm sorry, I can't help with that." });

    const { events } = await drain(provider().stream(request()));

    expect(refusalOf(events)).toBe("I'm sorry, I can't help with that.");
    expect(textOf(events)).toBe('');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  test('a non-streamed refusal comes back as refusal, not as an empty reply', async () => {
    script({ refusal: 'No.' });

    const result = await provider().complete(request());

    expect(result).toMatchObject({ text: '', refusal: 'No.', finishReason: 'content-filter' });
  });

  test('[[refuse]] on the fake refuses on Chat Completions too', async () => {
    const markers = await startFakeOpenAI({ defaultReply: createMarkerReplies({ delayMs: 0 }) });
    try {
      const adapter = createOpenAIProvider({ apiKeys: ['sk'], baseURL: markers.url, maxRetries: 0 });
      const { events } = await drain(adapter.stream(request({ messages: [{ role: 'user', content: '[[refuse]] help me with something awful' }] })));
      expect(refusalOf(events)).not.toBe('');
      expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
    } finally {
      await markers.close();
    }
  });

  test('images go as image_url parts and PDFs as file parts with their name, as data URLs', async () => {
    await drain(
      provider().stream(
        request({
          messages: [
            {
              role: 'user',
              content: 'Describe',
              files: [
                { mediaType: 'image/jpeg', name: 'a.jpg', data: new Uint8Array([0xff, 0xd8, 0xff]) },
                { mediaType: 'application/pdf', name: 'q3.pdf', data: new Uint8Array([0x25, 0x50, 0x44, 0x46]) },
              ],
            },
          ],
        }),
      ),
    );

    expect(fake.requests[0]?.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
          { type: 'file', file: { filename: 'q3.pdf', file_data: 'data:application/pdf;base64,JVBERg==' } },
          { type: 'text', text: 'Describe' },
        ],
      },
    ]);
  });

  test('reasoning_effort is sent for a reasoning model (request, else default) and never for an unknown model unasked', async () => {
    await drain(provider().stream(request({ model: 'gpt-5-mini' })));
    await drain(provider().stream(request({ model: 'o4-mini', reasoning: 'high' })));
    await drain(provider().stream(request({ model: 'llama3.2' })));
    await drain(provider().stream(request({ model: 'llama3.2', reasoning: 'off' })));

    expect(fake.requests.map((seen) => seen.body.reasoning_effort)).toEqual(['medium', 'high', undefined, undefined]);
  });

  test('a reasoning model is sent no temperature (OpenAI refuses one); another model keeps it', async () => {
    await drain(provider().stream(request({ model: 'gpt-5-mini', temperature: 0 })));
    await drain(provider().stream(request({ model: 'llama3.2', temperature: 0 })));

    expect(fake.requests.map((seen) => seen.body.temperature)).toEqual([undefined, 0]);
  });

  test('reasoning tokens in completion_tokens_details are reported apart', async () => {
    script({ text: 'Hi', reasoningTokens: 128, usage: { promptTokens: 40, completionTokens: 2, cachedPromptTokens: 0 } });

    const { events } = await drain(provider().stream(request({ model: 'gpt-5-mini' })));

    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 40, completionTokens: 130, cachedPromptTokens: 0, reasoningTokens: 128 });
  });
});
