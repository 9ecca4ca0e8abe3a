import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createOpenAIResponsesProvider } from '@/features/ai-chat/providers/openai/responses-provider';
import type { ProviderClientOptions, ProviderEvent, ProviderRequest } from '@/features/ai-chat/providers/types';
import { createMarkerReplies, startFakeOpenAI, type FakeProviderServer, type FakeReply } from '@/tests/support/fake-providers';
import type { OpenAIFakeReply } from '@/tests/support/fake-providers/fake-openai-wire';

import { drain, lastUsage, rejectionOf, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = (options: Partial<ProviderClientOptions> = {}) =>
  createOpenAIResponsesProvider({ apiKeys: ['sk-test-one'], baseURL: fake.url, maxRetries: 0, ...options });

const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'gpt-5-mini',
  system: 'You are helpful.',
  messages: [{ role: 'user', content: 'Hello!' }],
  ...extra,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const script = (...replies: OpenAIFakeReply[]) => fake.script(...(replies as FakeReply[]));
const reasoningOf = (events: readonly ProviderEvent[]) =>
  events.map((event) => (event.type === 'reasoning-delta' ? event.delta : '')).join('');

describe('OpenAI Responses provider', () => {
  test('the request goes to /v1/responses, stateless, with the system prompt as instructions and the model default effort', async () => {
    script({ text: 'Hi there', chunks: 2 });

    const { events, error } = await drain(provider().stream(request({ maxTokens: 300 })));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Hi there');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(fake.requests[0]?.path).toBe('/v1/responses');
    expect(fake.requests[0]?.body).toMatchObject({
      model: 'gpt-5-mini',
      stream: true,
      store: false,
      instructions: 'You are helpful.',
      input: [{ role: 'user', content: 'Hello!' }],
      max_output_tokens: 300,
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
  });

  test('a reasoning effort on the request wins over the model default; off asks for the least', async () => {
    await drain(provider().stream(request({ reasoning: 'high' })));
    await drain(provider().stream(request({ reasoning: 'off' })));
    await drain(provider().stream(request({ model: 'gpt-5.1', reasoning: 'off' })));
    await drain(provider().stream(request({ model: 'o3', reasoning: 'minimal' })));
    await drain(provider().stream(request({ model: 'gpt-5.2-pro', reasoning: 'off' })));

    expect(fake.requests.map((seen) => (seen.body.reasoning as { effort?: string }).effort)).toEqual(['high', 'minimal', 'none', 'low', 'medium']);
  });

  test('a model that does not reason gets no reasoning field and keeps its temperature', async () => {
    await drain(provider().stream(request({ model: 'gpt-4.1-mini', temperature: 0.3 })));

    const body = fake.requests[0]?.body ?? {};
    expect(body.reasoning).toBeUndefined();
    expect(body.include).toBeUndefined();
    expect(body.temperature).toBe(0.3);
  });

  test('a reasoning summary streams before the answer and ends as a part with its item id and encrypted content', async () => {
    script({ reasoning: ['**Thinking**\n\nFirst part.', '**More**\n\nSecond part.'], reasoningDelayMs: 1, text: 'Answer.' });

    const { events } = await drain(provider().stream(request()));

    const kinds = events.map((event) => event.type);
    expect(kinds.indexOf('reasoning-start')).toBeLessThan(kinds.indexOf('reasoning-delta'));
    expect(kinds.indexOf('reasoning-part')).toBeLessThan(kinds.indexOf('text-delta'));
    expect(reasoningOf(events)).toBe('**Thinking**\n\nFirst part.\n\n**More**\n\nSecond part.');
    const part = events.find((event) => event.type === 'reasoning-part');
    expect(part).toMatchObject({
      type: 'reasoning-part',
      part: { type: 'reasoning', provider: 'openai', text: '**Thinking**\n\nFirst part.\n\n**More**\n\nSecond part.', itemId: expect.stringMatching(/^rs_/), encryptedContent: expect.stringMatching(/^gAAAAA/) },
    });
    expect(textOf(events)).toBe('Answer.');
  });

  test('a refusal streams as refusal deltas and finishes as content-filter', async () => {
    script({ refusal: "I can't help with that." });

    const { events } = await drain(provider().stream(request()));

    const refusal = events.map((event) => (event.type === 'refusal-delta' ? event.delta : '')).join('');
    expect(refusal).toBe("I can't help with that.");
    expect(textOf(events)).toBe('');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  test('a reply cut by max_output_tokens finishes as length and keeps its text', async () => {
    script({ text: 'The start of a long', finishReason: 'length' });

    const { events } = await drain(provider().stream(request({ maxTokens: 5 })));

    expect(textOf(events)).toBe('The start of a long');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  test('usage carries cached prompt tokens and reasoning tokens', async () => {
    script({ text: 'Hi', reasoning: ['Brief.'], reasoningTokens: 64, usage: { promptTokens: 2048, completionTokens: 10, cachedPromptTokens: 1536 } });

    const { events } = await drain(provider().stream(request()));

    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 2048, completionTokens: 74, cachedPromptTokens: 1536, reasoningTokens: 64 });
  });

  test('a function call arrives whole with parsed arguments and finishes as tool-calls', async () => {
    script({ toolCalls: [{ id: 'call_w', name: 'get_weather', args: { city: 'Paris' }, argChunks: 4 }] });

    const { events } = await drain(provider().stream(request({ tools: [weatherTool], toolChoice: { name: 'get_weather' } })));

    expect(events.filter((event) => event.type === 'tool-call')).toEqual([{ type: 'tool-call', id: 'call_w', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.parameters, strict: false }],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
  });

  test('the tool loop sends the reasoning item back exactly, then the call and its output; another provider’s reasoning is dropped', async () => {
    script({ reasoning: ['Need the weather.'], reasoningDelayMs: 1, toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } }] }, { text: 'It is sunny.' });
    const first = await drain(provider().stream(request({ tools: [weatherTool] })));
    const part = first.events.find((event) => event.type === 'reasoning-part');
    if (part?.type !== 'reasoning-part') throw new Error('no reasoning part');

    const followUp = await drain(
      provider().stream(
        request({
          tools: [weatherTool],
          messages: [
            { role: 'user', content: 'Weather in Oslo?' },
            {
              role: 'assistant',
              content: '',
              reasoning: [{ type: 'reasoning', provider: 'anthropic', text: 'claude thought', signature: 'sig' }, part.part],
              toolCalls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo' } }],
            },
            { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"sky":"sunny"}' },
          ],
        }),
      ),
    );

    expect(followUp.error).toBeUndefined();
    expect(textOf(followUp.events)).toBe('It is sunny.');
    expect(fake.requests[1]?.body.input).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      { type: 'reasoning', id: part.part.itemId, encrypted_content: part.part.encryptedContent, summary: [{ type: 'summary_text', text: 'Need the weather.' }] },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"sky":"sunny"}' },
    ]);
  });

  test('a reasoning part whose encrypted content was stripped (an import) is not sent back', async () => {
    await drain(
      provider().stream(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello', reasoning: [{ type: 'reasoning', provider: 'openai', text: 'thought', itemId: 'rs_old' }] },
            { role: 'user', content: 'Again' },
          ],
        }),
      ),
    );

    expect(fake.requests[0]?.body.input).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'Again' },
    ]);
  });

  test('images go as input_image and PDFs as input_file, inline as data URLs, before the text', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
    await drain(
      provider().stream(
        request({
          messages: [
            {
              role: 'user',
              content: 'What is in these?',
              files: [
                { mediaType: 'image/png', name: 'shot.png', data: png },
                { mediaType: 'application/pdf', name: 'report.pdf', data: pdf },
              ],
            },
          ],
        }),
      ),
    );

    expect(fake.requests[0]?.body.input).toEqual([
      {
        role: 'user',
        content: [
          { type: 'input_image', detail: 'auto', image_url: 'data:image/png;base64,iVBORw==' },
          { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERg==' },
          { type: 'input_text', text: 'What is in these?' },
        ],
      },
    ]);
  });

  test('complete collects text, reasoning, tool calls, usage and finish of one response', async () => {
    script({ reasoning: ['Plan.'], reasoningTokens: 12, text: 'Done.', usage: { promptTokens: 20, completionTokens: 3 } });

    const result = await provider().complete(request());

    expect(fake.requests[0]?.body.stream).toBe(false);
    expect(result).toMatchObject({
      text: 'Done.',
      reasoning: [{ type: 'reasoning', provider: 'openai', text: 'Plan.', itemId: expect.stringMatching(/^rs_/), encryptedContent: expect.stringMatching(/^gAAAAA/) }],
      toolCalls: [],
      usage: { promptTokens: 20, completionTokens: 15, cachedPromptTokens: 0, reasoningTokens: 12 },
      finishReason: 'stop',
    });
  });

  test('complete reports a refusal as such', async () => {
    script({ refusal: 'No.' });

    const result = await provider().complete(request());

    expect(result).toMatchObject({ text: '', refusal: 'No.', finishReason: 'content-filter' });
  });
});

describe('OpenAI Responses provider failures', () => {
  test('an organisation not allowed reasoning summaries still gets its answer, and summaries are not asked for again', async () => {
    const unverified = 'Your organization must be verified to generate reasoning summaries. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.';
    script({ httpError: { status: 400, code: 'unsupported_value', message: unverified } }, { text: 'Answer without a summary' }, { text: 'Next' });
    const adapter = provider();

    const { events, error } = await drain(adapter.stream(request()));
    await drain(adapter.stream(request()));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Answer without a summary');
    expect(fake.requests.map((seen) => seen.body.reasoning)).toEqual([
      { effort: 'medium', summary: 'auto' },
      { effort: 'medium' },
      { effort: 'medium' },
    ]);
    expect(fake.requests[1]?.body.include).toEqual(['reasoning.encrypted_content']);
  });

  test('a 401 on the first key rotates to the second key', async () => {
    script({ httpError: { status: 401 } }, { text: 'Second key works' });

    const { events } = await drain(provider({ apiKeys: ['sk-revoked', 'sk-good'] }).stream(request()));

    expect(textOf(events)).toBe('Second key works');
    expect(fake.requests.map((seen) => seen.apiKey)).toEqual(['sk-revoked', 'sk-good']);
  });

  test('a 429 is retried by the SDK and the caller hears of the wait first', async () => {
    script({ httpError: { status: 429, retryAfterMs: '20' } }, { text: 'Recovered' });
    const retries: unknown[] = [];

    const { events } = await drain(provider({ maxRetries: 1 }).stream(request({ onRetry: (retry) => retries.push(retry) })));

    expect(textOf(events)).toBe('Recovered');
    expect(retries).toEqual([{ attempt: 1, retryAfterSeconds: 1, reason: 'rate_limited' }]);
  });

  test('an error event inside the stream ends it with the mapped error and keeps what arrived', async () => {
    script({ text: 'one two three', streamError: { afterChunks: 2, type: 'server_error' } });

    const { events, error } = await drain(provider().stream(request()));

    expect(textOf(events)).toBe('one two ');
    expect(error?.code).toBe('provider_error');
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });

  test('a context-length 400 maps to context_length and the key never shows', async () => {
    script({ httpError: { status: 400, code: 'context_length_exceeded', message: 'Your input exceeds the context window of this model.' } });

    const error = await rejectionOf(provider({ apiKeys: ['sk-proj-SECRET'] }).complete(request()));

    expect(error.code).toBe('context_length');
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-proj-SECRET');
  });

  test('a connection cut mid-reply is a network error, not retried', async () => {
    script({ text: 'one two three four', failAfterChunks: 1 });

    const { events, error } = await drain(provider({ apiKeys: ['sk-a', 'sk-b'], maxRetries: 2 }).stream(request()));

    expect(textOf(events)).toBe('one ');
    expect(error?.code).toBe('network');
    expect(fake.requests).toHaveLength(1);
  });

  test('aborting mid-stream closes the request and fails with aborted', async () => {
    script({ text: 'a b c d e f g h i j', delayMs: 30 });
    const controller = new AbortController();

    const { error } = await drain(
      (async function* () {
        for await (const event of provider().stream(request({ signal: controller.signal }))) {
          if (event.type === 'text-delta') controller.abort();
          yield event;
        }
      })(),
    );
    await fake.waitForAborts(1);

    expect(error?.code).toBe('aborted');
  });
});

describe('the fake OpenAI Responses API under markers', () => {
  test('[[think]] streams a summary before the echo, [[refuse]] stops as content-filter, and reasoning the fake never issued is refused', async () => {
    const markers = await startFakeOpenAI({ defaultReply: createMarkerReplies({ delayMs: 0 }) });
    try {
      const adapter = createOpenAIResponsesProvider({ apiKeys: ['sk'], baseURL: markers.url, maxRetries: 0 });
      const thinking = await drain(adapter.stream(request({ messages: [{ role: 'user', content: '[[think]] why is the sky blue?' }] })));
      expect(reasoningOf(thinking.events)).toContain('why is the sky blue?');
      expect(textOf(thinking.events)).toBe('Echo from gpt-5-mini: why is the sky blue?');

      const refused = await drain(adapter.stream(request({ messages: [{ role: 'user', content: '[[refuse]] do something bad' }] })));
      expect(refused.events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });

      const forged = await drain(
        adapter.stream(
          request({
            messages: [
              { role: 'user', content: 'hi' },
              { role: 'assistant', content: '', reasoning: [{ type: 'reasoning', provider: 'openai', text: '', itemId: 'rs_x', encryptedContent: 'gAAAAABforged' }], toolCalls: [{ id: 'c', name: 't', args: {} }] },
              { role: 'tool', toolCallId: 'c', name: 't', content: '{}' },
            ],
          }),
        ),
      );
      expect(forged.error?.code).toBe('bad_request');
    } finally {
      await markers.close();
    }
  });
});
