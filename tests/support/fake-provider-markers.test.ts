import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createMarkerReplies, startFakeAnthropic, startFakeOpenAI, type FakeProviderServer } from './fake-providers';

/**
 * The markers of `npm run fake-providers`, driven through the real SDKs as the app drives them:
 * each fake answers in its provider's wire format, and each marker brings about its state.
 */
let openaiFake: FakeProviderServer;
let anthropicFake: FakeProviderServer;

beforeAll(async () => {
  // retryAfterSeconds 0: the SDKs' retry after the 429 comes at once, so the test does not wait 2 s.
  [openaiFake, anthropicFake] = await Promise.all([
    startFakeOpenAI({ defaultReply: createMarkerReplies({ delayMs: 0, slowDelayMs: 0, retryAfterSeconds: 0 }) }),
    startFakeAnthropic({ defaultReply: createMarkerReplies({ delayMs: 0, slowDelayMs: 0, retryAfterSeconds: 0 }) }),
  ]);
});
afterAll(() => Promise.all([openaiFake.close(), anthropicFake.close()]));
beforeEach(() => {
  openaiFake.reset();
  anthropicFake.reset();
});

const openai = (maxRetries = 0) => new OpenAI({ apiKey: 'sk-fake', baseURL: openaiFake.url, maxRetries });
const anthropic = (maxRetries = 0) => new Anthropic({ apiKey: 'sk-ant-fake', baseURL: anthropicFake.url, maxRetries });

interface Streamed {
  text: string;
  usage?: { input: number; output: number };
  toolCalls: { name: string; args: string }[];
  error?: unknown;
}

async function streamOpenAI(content: string, options: { maxRetries?: number; tools?: OpenAI.ChatCompletionTool[] } = {}): Promise<Streamed> {
  const result: Streamed = { text: '', toolCalls: [] };
  try {
    const stream = await openai(options.maxRetries).chat.completions.create({
      model: 'gpt-5-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content }],
      ...(options.tools ? { tools: options.tools } : {}),
    });
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      result.text += delta?.content ?? '';
      for (const call of delta?.tool_calls ?? []) {
        if (call.function?.name) result.toolCalls[call.index] = { name: call.function.name, args: '' };
        if (call.function?.arguments) result.toolCalls[call.index]!.args += call.function.arguments;
      }
      if (chunk.usage) result.usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

async function streamClaude(
  content: Anthropic.MessageParam['content'],
  options: { maxRetries?: number; tools?: Anthropic.Tool[] } = {},
): Promise<Streamed> {
  const result: Streamed = { text: '', toolCalls: [] };
  try {
    const stream = anthropic(options.maxRetries).messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content }],
      ...(options.tools ? { tools: options.tools } : {}),
    });
    stream.on('text', (text) => {
      result.text += text;
    });
    const message = await stream.finalMessage();
    result.usage = { input: message.usage.input_tokens, output: message.usage.output_tokens };
    for (const block of message.content) {
      if (block.type === 'tool_use') result.toolCalls.push({ name: block.name, args: JSON.stringify(block.input) });
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

describe('the fakes without markers', () => {
  test('the Claude fake answers content blocks with their plain text, not their JSON', async () => {
    const reply = await streamClaude([
      { type: 'text', text: 'Hello' },
      { type: 'text', text: 'there' },
    ]);
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('Echo from claude-sonnet-5-5: Hello\nthere');
    expect(reply.usage?.output).toBeGreaterThan(0);
  });

  test('the OpenAI fake streams the echo and ends with the include_usage chunk', async () => {
    const reply = await streamOpenAI('Hello there');
    expect(reply.error).toBeUndefined();
    expect(reply.text).toBe('Echo from gpt-5-mini: Hello there');
    expect(reply.usage).toEqual({ input: expect.any(Number), output: 5 });
  });
});

describe.each([
  ['OpenAI', (content: string, maxRetries?: number) => streamOpenAI(content, { maxRetries }), () => openaiFake],
  ['Claude', (content: string, maxRetries?: number) => streamClaude(content, { maxRetries }), () => anthropicFake],
] as const)('markers on the %s fake', (_name, stream, fake) => {
  test('[[429]] answers one 429 with retry-after, then the SDK’s retry gets the reply', async () => {
    const refused = await stream('Busy? [[429]]');
    expect(refused.error).toMatchObject({ status: 429 });
    expect((refused.error as { headers: Headers }).headers.get('retry-after')).toBe('0');

    fake().reset();
    const retried = await stream('Busy again? [[429]]', 2);
    expect(retried.error).toBeUndefined();
    expect(retried.text).toMatch(/^Echo from [\w.-]+: Busy again\?$/);
    expect(fake().requests).toHaveLength(2);
  });

  test('[[500]] answers one 500, then the same request gets the reply', async () => {
    expect((await stream('Once [[500]]')).error).toMatchObject({ status: 500 });
    const next = await stream('Once [[500]]');
    expect(next.error).toBeUndefined();
    expect(next.text).toContain('Once');
  });

  test('[[fail]] answers 500 every time, retries included', async () => {
    const reply = await stream('Never [[fail]]', 2);
    expect(reply.error).toMatchObject({ status: 500 });
    expect(fake().requests).toHaveLength(3);
  });

  test('[[cut]] streams some words, then the connection drops', async () => {
    const reply = await stream('Cut me off [[cut]]');
    expect(reply.error).toBeDefined();
    expect(reply.text.split(/\s+/).filter(Boolean)).toHaveLength(12);
    expect(fake().requests[0]!.aborted).toBe(false); // the fake hung up, not the client
  });

  test('[[long]] streams a long markdown reply', async () => {
    const reply = await stream('[[long]]');
    expect(reply.error).toBeUndefined();
    expect(reply.text.split(/\s+/).length).toBeGreaterThan(500);
    expect(reply.text).toContain('## 1. Streaming');
  });

  test('[[code]] answers a fenced code block and a table', async () => {
    const reply = await stream('Show me [[code]]');
    expect(reply.text).toMatch(/```ts\n[\s\S]+\n```/);
    expect(reply.text).toContain('| --- | --- | ---: |');
  });

  test('[[slow]] and the other markers never reach the reply text', async () => {
    const reply = await stream('Take your time [[slow]]');
    expect(reply.text).toMatch(/: Take your time$/);
  });
});

describe('[[tool]]', () => {
  const weather = { city: { type: 'string' }, days: { type: 'integer' } };

  test('calls the first tool offered, with arguments fitting its schema, on both fakes', async () => {
    const openaiReply = await streamOpenAI('Weather? [[tool]]', {
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: weather, required: ['city', 'days'] } } }],
    });
    expect(openaiReply.toolCalls).toEqual([{ name: 'get_weather', args: '{"city":"Paris","days":1}' }]);

    const claudeReply = await streamClaude('Weather? [[tool]]', {
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: weather, required: ['city'] } }],
    });
    expect(claudeReply.toolCalls).toEqual([{ name: 'get_weather', args: '{"city":"Paris"}' }]);
  });

  test('after the tool result the Claude fake answers in words', async () => {
    const response = await anthropic().messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: weather } }],
      messages: [
        { role: 'user', content: 'Weather? [[tool]]' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] },
      ],
    });
    expect(response.content).toEqual([{ type: 'text', text: 'claude-sonnet-5-5 called the tool get_weather and read its result.' }]);
  });

  test('without tools in the request, the reply says so instead', async () => {
    const reply = await streamOpenAI('Weather? [[tool]]');
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('No tools are configured');
  });
});

describe('the defaults of npm run fake-providers', () => {
  const body = (content: string) => ({ model: 'gpt-5-mini', messages: [{ role: 'user', content }] });

  test('[[429]] asks to retry after 2 s; [[slow]] waits 150 ms before each frame', () => {
    const replies = createMarkerReplies();
    expect(replies(body('Hi [[429]]')).httpError).toEqual({ status: 429, retryAfter: '2' });
    expect(replies(body('Hi [[slow]]')).delayMs).toBe(150);
    expect(replies(body('Hi')).delayMs).toBe(20);
  });
});
