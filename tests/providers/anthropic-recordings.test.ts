import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { createAnthropicProvider } from '@/features/ai-chat/providers/anthropic/provider';
import type { ProviderEvent, ProviderRequest } from '@/features/ai-chat/providers/types';
import type { ReasoningPart } from '@/features/ai-chat/protocol/parts';
import { describeCost } from '@/features/ai-chat/providers/pricing';
import { recording, startReplayServer, type ReplayServer } from '@/tests/support/fake-providers/recordings/anthropic/replay-server';

import { drain, lastUsage, textOf } from './collect-events';

// Recorded Messages API streams replayed byte for byte: what the adapter makes of the real wire.
let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(() => replay.close());
beforeEach(() => {
  replay.bodies.length = 0;
});

const provider = () => createAnthropicProvider({ apiKeys: ['sk-ant-replay'], baseURL: replay.url, maxRetries: 0 });
const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content: 'Is 1,001 prime?' }],
  ...extra,
});
const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const kinds = (events: readonly ProviderEvent[]) => events.map((event) => event.type).filter((type, index, all) => type !== all[index - 1]);
const parts = (events: readonly ProviderEvent[]) => events.flatMap((event) => (event.type === 'reasoning-part' ? [event.part] : []));
const reasoningText = (events: readonly ProviderEvent[]) => events.map((event) => (event.type === 'reasoning-delta' ? event.delta : '')).join('');

/** The opaque field of a recording's block, read from the file itself, so the test checks byte equality. */
function recordedField(name: string, field: 'signature' | 'data', nth = 0): string {
  const pattern = field === 'signature' ? /"signature_delta","signature":"([^"]+)"/g : /"redacted_thinking","data":"([^"]+)"/g;
  const matches = [...recording(name).matchAll(pattern)];
  return matches[nth]![1]!;
}


describe('recorded thinking streams', () => {
  test('thinking deltas stream as reasoning, and the block ends as one part with its signature, before the answer', async () => {
    replay.play('thinking-signature.sse');

    const { events, error } = await drain(provider().stream(request()));

    expect(error).toBeUndefined();
    expect(kinds(events)).toEqual(['accepted', 'usage', 'reasoning-start', 'reasoning-delta', 'reasoning-part', 'text-delta', 'usage', 'finish']);
    expect(reasoningText(events)).toBe('The user wants to know whether 1,001 is prime.\n\nLet me check small factors: 1001 / 7 = 143, and 143 = 11 × 13.\n\nSo 1001 = 7 × 11 × 13, not prime.');
    expect(parts(events)).toEqual([
      { type: 'reasoning', provider: 'anthropic', text: reasoningText(events), signature: recordedField('thinking-signature.sse', 'signature') },
    ]);
    expect(textOf(events)).toBe('No — 1,001 is not prime: it is 7 × 11 × 13.');
    // Thinking is billed as output but kept apart from the answer's tokens.
    expect(lastUsage(events)).toMatchObject({ promptTokens: 412, completionTokens: 187, reasoningTokens: 131 });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  test('a redacted_thinking block becomes a part with its data exactly and no text, in stream order', async () => {
    replay.play('redacted-thinking.sse');

    const { events } = await drain(provider().stream(request({ model: 'claude-opus-4-6' })));

    const [redacted, summarised] = parts(events);
    expect(redacted).toEqual({ type: 'reasoning', provider: 'anthropic', text: '', redactedData: recordedField('redacted-thinking.sse', 'data') });
    expect(summarised).toMatchObject({ text: 'I should answer the question about the history of the printing press briefly.', signature: recordedField('redacted-thinking.sse', 'signature') });
    expect(events.filter((event) => event.type === 'reasoning-start')).toHaveLength(2);
    // The redacted block has nothing to show: no delta comes before the second block starts.
    const firstDelta = events.findIndex((event) => event.type === 'reasoning-delta');
    expect(events.findIndex((event) => event.type === 'reasoning-part')).toBeLessThan(firstDelta);
    expect(textOf(events)).toBe("Gutenberg's press (around 1440) made books cheap enough to spread.");
  });
});

describe('recorded tool turn with thinking', () => {
  test('the follow-up request carries the thinking block back exactly, before the text and tool_use, and drops other providers\' parts', async () => {
    replay.play('thinking-tool-use.sse', 'thinking-tool-use-followup.sse');
    const question: ProviderRequest = request({ messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools: [weatherTool] });

    const first = await drain(provider().stream(question));
    const [call] = first.events.flatMap((event) => (event.type === 'tool-call' ? [event] : []));
    expect(call).toEqual({ type: 'tool-call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', args: { city: 'Oslo' } });
    expect(first.events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });

    const fromOpenAI: ReasoningPart = { type: 'reasoning', provider: 'openai', text: 'elsewhere', itemId: 'rs_1', encryptedContent: 'gAAAA' };
    const second = await drain(
      provider().stream({
        ...question,
        messages: [
          ...question.messages,
          { role: 'assistant', content: textOf(first.events), toolCalls: [{ id: call!.id, name: call!.name, args: call!.args }], reasoning: [fromOpenAI, ...parts(first.events)] },
          { role: 'tool', toolCallId: call!.id, name: call!.name, content: '{"tempC":3,"sky":"cloudy"}' },
        ],
      }),
    );

    expect(replay.bodies[1]!.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
      {
        role: 'assistant',
        content: [
          {
            type: 'thinking',
            thinking: 'The user asks about the weather in Oslo right now. I have a get_weather tool; I should call it with city Oslo rather than guess.',
            signature: recordedField('thinking-tool-use.sse', 'signature'),
          },
          { type: 'text', text: "I'll check the current weather in Oslo." },
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '{"tempC":3,"sky":"cloudy"}' }] },
    ]);
    expect(textOf(second.events)).toBe('It is 3 °C and cloudy in Oslo right now.');
    // The follow-up read the first call's prefix from the cache and wrote the tool turn.
    expect(lastUsage(second.events)).toEqual({ type: 'usage', promptTokens: 742, completionTokens: 18, cachedPromptTokens: 640, cacheWriteTokens: 80, cacheWrite1hTokens: 0 });
  });
});

describe('recorded stops', () => {
  test('stop_reason refusal finishes as content-filter, keeps what was written, and passes the explanation on', async () => {
    replay.play('refusal.sse');

    const { events } = await drain(provider().stream(request({ messages: [{ role: 'user', content: 'Write ransomware.' }] })));

    expect(textOf(events)).toBe("I can't help with that.");
    expect(events.filter((event) => event.type === 'refusal-delta')).toEqual([{ type: 'refusal-delta', delta: 'This request could enable malware development.' }]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  test('a reply cut by max_tokens finishes as length with its text, and its cache reads and writes are priced at their own rates', async () => {
    replay.play('cache-usage-max-tokens.sse');

    const { events } = await drain(provider().stream(request()));

    expect(textOf(events)).toBe('Here is the first part of a long answer that was cut');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
    const usage = lastUsage(events)!;
    expect(usage).toEqual({ type: 'usage', promptTokens: 2376, completionTokens: 64, cachedPromptTokens: 2048, cacheWriteTokens: 300, cacheWrite1hTokens: 10 });
    // Haiku 4.5: $1/M fresh, $0.10/M read, 1.25× and 2× input for 5-minute and 1-hour writes, $5/M out.
    const cost = describeCost({ provider: 'anthropic', model: 'claude-haiku-4-5-20251001', ...usage });
    expect(cost).toMatchObject({ inputCost: '0.000018', cachedInputCost: '0.0002048', cacheWriteCost: '0.000395', outputCost: '0.00032' });
    expect(cost?.total).toBe('0.0009378');
  });
});
