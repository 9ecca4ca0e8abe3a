import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import type { ReasoningPart } from '@/features/ai-chat/protocol/parts';
import type { ProviderEvent, ProviderRequest } from '@/features/ai-chat/providers/types';
import { createMarkerReplies, startFakeAnthropic, type FakeProviderServer } from '@/tests/support/fake-providers';

import { drain, rejectionOf, textOf } from './collect-events';

let fake: FakeProviderServer;
beforeAll(async () => {
  fake = await startFakeAnthropic({ defaultReply: createMarkerReplies({ delayMs: 0 }) });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const provider = () => createAnthropicProvider({ apiKeys: ['sk-ant-one'], baseURL: fake.url, maxRetries: 0 });
const ask = (content: string, extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content }],
  ...extra,
});
const sent = (index = 0) => fake.requests[index]!.body;
const parts = (events: readonly ProviderEvent[]) => events.flatMap((event) => (event.type === 'reasoning-part' ? [event.part] : []));
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('thinking is turned on as each model offers it', () => {
  test('a budget model (Haiku 4.5) gets a summarised budget inside max_tokens, and the answer keeps the rest', async () => {
    await drain(provider().stream(ask('Hi', { maxTokens: 6000, temperature: 0.2 })));

    expect(sent()).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 4096, display: 'summarized' }, max_tokens: 6000 });
    // Thinking forbids most temperatures; the adapter never sends one.
    expect(sent()).not.toHaveProperty('temperature');
  });

  test('an adaptive model (Sonnet 5.5) gets adaptive thinking with summarised display, and effort when one is asked', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5' })));
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5', reasoning: 'high' })));

    expect(sent(0)).toMatchObject({ thinking: { type: 'adaptive', display: 'summarized' }, max_tokens: 4096 + 4096 });
    expect(sent(0)).not.toHaveProperty('output_config');
    expect(sent(1)).toMatchObject({ thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'high' } });
  });

  test('reasoning off, a forced tool choice, or a model that cannot think: no thinking is asked for', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5', reasoning: 'off' })));
    await drain(provider().stream(ask('Hi', { tools: [weatherTool], toolChoice: { name: 'get_weather' } })));
    await drain(provider().stream(ask('Hi', { model: 'claude-3-5-haiku', maxTokens: 500 })));

    // An adaptive model may think unasked, so it is told not to.
    expect(sent(0)).toMatchObject({ thinking: { type: 'disabled' }, max_tokens: 4096 });
    expect(sent(1)).not.toHaveProperty('thinking');
    expect(sent(2)).not.toHaveProperty('thinking');
    expect(sent(2)).toMatchObject({ max_tokens: 500 });
  });

  test('a Mythos model, which always thinks, is not sent a "disabled" it would refuse', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-mythos-5', reasoning: 'off' })));

    expect(sent()).not.toHaveProperty('thinking');
  });

  test('with no maxTokens the default answer gets the effort\'s thinking room on top', async () => {
    await drain(provider().stream(ask('Hi')));
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5', reasoning: 'high' })));

    expect(sent(0)).toMatchObject({ max_tokens: 4096 + 4096, thinking: { type: 'enabled', budget_tokens: 4096 } });
    expect(sent(1)).toMatchObject({ max_tokens: 4096 + 16_384, output_config: { effort: 'high' } });
  });

  test('at the model\'s output ceiling max_tokens stops there and the budget still fits under it', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-3-7-sonnet', maxTokens: 100_000, reasoning: 'high' })));

    expect(sent()).toMatchObject({ max_tokens: 64_000, thinking: { type: 'enabled', budget_tokens: 16_384 } });
  });
});

describe('maxTokens is the ceiling of the whole call, thinking included', () => {
  test('a budget model never gets max_tokens above the caller\'s, and its budget leaves the answer at least 1,024', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-4-5', maxTokens: 5000, reasoning: 'high' })));
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-4-5', maxTokens: 2000, reasoning: 'high' })));

    expect(sent(0)).toMatchObject({ max_tokens: 5000, thinking: { type: 'enabled', budget_tokens: 5000 - 1024 } });
    // 976 tokens of budget is under the API's 1,024: that call does not think.
    expect(sent(1)).toMatchObject({ max_tokens: 2000 });
    expect(sent(1)).not.toHaveProperty('thinking');
  });

  test('an adaptive model steps its effort down to what fits, and does not think when even the least does not', async () => {
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5', maxTokens: 4096, reasoning: 'high' })));
    await drain(provider().stream(ask('Hi', { model: 'claude-sonnet-5-5', maxTokens: 1500, reasoning: 'high' })));

    expect(sent(0)).toMatchObject({ max_tokens: 4096, thinking: { type: 'adaptive' }, output_config: { effort: 'low' } });
    expect(sent(1)).toMatchObject({ max_tokens: 1500, thinking: { type: 'disabled' } });
  });
});

test('a non-streaming call gets the caller\'s max_tokens, with the thinking inside it', async () => {
  const result = await provider().complete(ask('[[think]] Hi', { model: 'claude-sonnet-5-5', maxTokens: 8_000, reasoning: 'high' }));

  expect(result.finishReason).toBe('stop');
  expect(sent()).toMatchObject({ max_tokens: 8_000, thinking: { type: 'adaptive' }, output_config: { effort: 'medium' } });
});

describe('thinking through the fake API', () => {
  test('[[think]] streams reasoning, then one part with a signature, then the answer', async () => {
    const { events, error } = await drain(provider().stream(ask('[[think]] Why is the sky blue?')));

    expect(error).toBeUndefined();
    expect(events.findIndex((event) => event.type === 'reasoning-start')).toBeLessThan(events.findIndex((event) => event.type === 'reasoning-delta'));
    const [part] = parts(events);
    expect(part).toMatchObject({ provider: 'anthropic', text: expect.stringContaining('Why is the sky blue?') });
    expect(part?.signature?.length).toBeGreaterThan(200);
    expect(events.findIndex((event) => event.type === 'reasoning-part')).toBeLessThan(events.findIndex((event) => event.type === 'text-delta'));
    expect(textOf(events)).toContain('Why is the sky blue?');
  });

  test('a tool turn after thinking is accepted with the thinking sent back, and refused without it or with it altered', async () => {
    const question = ask('[[think]] [[tool]] Weather?', { tools: [weatherTool] });
    const first = await drain(provider().stream(question));
    const call = first.events.find((event) => event.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error('expected a tool call');
    const followUp = (reasoning: ReasoningPart[]): ProviderRequest => ({
      ...question,
      messages: [
        ...question.messages,
        { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: call.name, args: call.args }], reasoning },
        { role: 'tool', toolCallId: call.id, name: call.name, content: '{"tempC":3}' },
      ],
    });
    const [part] = parts(first.events);

    const kept = await drain(provider().stream(followUp(parts(first.events))));
    const dropped = await drain(provider().stream(followUp([])));
    const altered = await drain(provider().stream(followUp([{ ...part!, text: `${part!.text} (edited)` }])));

    expect(kept.error).toBeUndefined();
    expect(textOf(kept.events)).toContain('called the tool get_weather');
    expect(sent(1)).toMatchObject({ thinking: { type: 'enabled' } });
    // Thinking that was not kept: the follow-up goes without thinking instead of being refused.
    expect(dropped.error).toBeUndefined();
    expect(sent(2)).not.toHaveProperty('thinking');
    // Thinking altered on the way: the API (here the fake) refuses it.
    expect(altered.error?.code).toBe('bad_request');
  });

  test('on an adaptive model the fake refuses a tool turn sent back without the thinking that preceded it', async () => {
    const question = ask('[[think]] [[tool]] Weather?', { model: 'claude-sonnet-5-5', tools: [weatherTool] });
    const first = await drain(provider().stream(question));
    const call = first.events.find((event) => event.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error('expected a tool call');

    const { error } = await drain(
      provider().stream({
        ...question,
        messages: [
          ...question.messages,
          { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: call.name, args: call.args }] },
          { role: 'tool', toolCallId: call.id, name: call.name, content: '{"tempC":3}' },
        ],
      }),
    );

    expect(error?.code).toBe('bad_request');
  });

  test('[[redacted]] gives a part with the encrypted data and no text; it goes back as a redacted_thinking block', async () => {
    const { events } = await drain(provider().stream(ask('[[redacted]] Hello')));
    const [part] = parts(events);

    expect(part).toMatchObject({ provider: 'anthropic', text: '' });
    expect(part?.redactedData).toMatch(/^[A-Za-z0-9+/=]{200,}$/);

    await drain(provider().stream({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', reasoning: [part!] }, { role: 'user', content: 'More' }] }));
    expect((sent(1).messages as Array<{ content: unknown[] }>)[1]!.content[0]).toEqual({ type: 'redacted_thinking', data: part!.redactedData });
  });

  test('[[refuse]] ends with finish content-filter, keeping what Claude wrote', async () => {
    const { events } = await drain(provider().stream(ask('[[refuse]] something harmful')));

    expect(textOf(events)).toBe("I can't help with that request.");
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  test('complete() collects thinking parts and the refusal finish as well', async () => {
    const thought = await provider().complete(ask('[[think]] Sum 2 and 2'));
    const refused = await provider().complete(ask('[[refuse]] no'));

    expect(thought.reasoning?.[0]).toMatchObject({ provider: 'anthropic', signature: expect.any(String) });
    expect(thought.usage.reasoningTokens).toBeGreaterThan(0);
    expect(refused.finishReason).toBe('content-filter');
  });
});

describe('images and PDFs', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  const pdf = new TextEncoder().encode('%PDF-1.7\n1 0 obj\n');

  test('go as base64 image and document blocks before the question', async () => {
    await drain(
      provider().stream({
        model: 'claude-haiku-4-5',
        messages: [{ role: 'user', content: 'What is in these?', files: [{ mediaType: 'image/png', name: 'shot.png', data: png }, { mediaType: 'application/pdf', name: 'report.pdf', data: pdf }] }],
      }),
    );

    expect((sent().messages as Array<{ content: unknown }>)[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: Buffer.from(png).toString('base64') } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from(pdf).toString('base64') }, title: 'report.pdf' },
      { type: 'text', text: 'What is in these?' },
    ]);
  });

  test('a PDF for a model that cannot read one is refused before anything is sent', async () => {
    const error = await rejectionOf(provider().complete({ model: 'claude-3-haiku', messages: [{ role: 'user', content: 'Read', files: [{ mediaType: 'application/pdf', name: 'a.pdf', data: pdf }] }] }));

    expect(error.code).toBe('unsupported_file_type');
    expect(error.status).toBe(415);
    expect(fake.requests).toHaveLength(0);
  });
});
