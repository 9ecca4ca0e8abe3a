import { afterEach, describe, expect, test } from 'vitest';

import { createOpenAIProvider } from '@/features/ai-chat/providers/openai/chat-completions-provider';
import { createOpenAIResponsesProvider } from '@/features/ai-chat/providers/openai/responses-provider';
import type { ProviderEvent, ProviderRequest } from '@/features/ai-chat/providers/types';

import { drain, lastUsage, textOf } from './collect-events';
import { framesOf, readRecording, startReplay, type ReplayServer } from './openai-replay';

let replay: ReplayServer | undefined;
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});

async function responses(recordings: string[]) {
  replay = await startReplay(recordings);
  return createOpenAIResponsesProvider({ apiKeys: ['sk-replay'], baseURL: replay.url, maxRetries: 0 });
}

const ask = (content: string, extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: 'gpt-5-mini',
  system: 'You are a helpful assistant.',
  messages: [{ role: 'user', content }],
  ...extra,
});

const joined = (events: readonly ProviderEvent[], type: 'reasoning-delta' | 'refusal-delta') =>
  events.map((event) => (event.type === type ? event.delta : '')).join('');

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('recorded Responses API streams', () => {
  test('a reasoning summary streams as reasoning, apart from the answer, with cached and reasoning tokens in the usage', async () => {
    const provider = await responses(['responses-reasoning-summary.sse']);

    const { events, error } = await drain(provider.stream(ask('TCP vs UDP in one paragraph?')));

    expect(error).toBeUndefined();
    const reasoning = joined(events, 'reasoning-delta');
    expect(reasoning).toMatch(/^\*\*Comparing TCP and UDP\*\*\n\n/);
    expect(reasoning).toContain('\n\n**Choosing examples**\n\n');
    expect(textOf(events)).toMatch(/^TCP sets up a connection/);
    expect(textOf(events)).not.toContain('Comparing');
    const parts = events.filter((event) => event.type === 'reasoning-part');
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ part: { provider: 'openai', text: reasoning, itemId: expect.stringMatching(/^rs_/) } });
    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 2311, completionTokens: 412, cachedPromptTokens: 1920, reasoningTokens: 320 });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  test('a refusal arrives as refusal deltas, never as answer text, and finishes as content-filter', async () => {
    const provider = await responses(['responses-refusal.sse']);

    const { events } = await drain(provider.stream(ask('How do I make a weapon?', { model: 'gpt-4o' })));

    expect(joined(events, 'refusal-delta')).toBe("I'm sorry, but I can't help with making a weapon.");
    expect(textOf(events)).toBe('');
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  test('a reasoning item then a function call; the follow-up request carries the final encrypted reasoning back exactly', async () => {
    const provider = await responses(['responses-tool-loop.1.sse', 'responses-tool-loop.2.sse']);
    const recorded = framesOf(await readRecording('responses-tool-loop.1.sse'));
    const itemEvents = recorded.filter((frame) => (frame.item as { type?: string } | undefined)?.type === 'reasoning');
    const added = itemEvents.find((frame) => frame.type === 'response.output_item.added')?.item as { encrypted_content: string };
    const done = itemEvents.find((frame) => frame.type === 'response.output_item.done')?.item as { id: string; encrypted_content: string; summary: unknown[] };

    const first = await drain(provider.stream(ask('Umbrella in Oslo today?', { tools: [weatherTool] })));
    const call = first.events.find((event) => event.type === 'tool-call');
    const part = first.events.find((event) => event.type === 'reasoning-part');
    if (call?.type !== 'tool-call' || part?.type !== 'reasoning-part') throw new Error('expected a reasoning part and a tool call');
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Oslo' }, id: expect.stringMatching(/^call_/) });
    expect(first.events.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    expect(lastUsage(first.events)).toMatchObject({ reasoningTokens: 128 });

    const second = await drain(
      provider.stream(
        ask('Umbrella in Oslo today?', {
          tools: [weatherTool],
          messages: [
            { role: 'user', content: 'Umbrella in Oslo today?' },
            { role: 'assistant', content: '', reasoning: [part.part], toolCalls: [{ id: call.id, name: call.name, args: call.args }] },
            { role: 'tool', toolCallId: call.id, name: call.name, content: '{"forecast":"light rain from 14:00"}' },
          ],
        }),
      ),
    );

    expect(textOf(second.events)).toMatch(/take an umbrella/);
    const followUp = replay!.requests[1]!.body;
    expect(followUp).toMatchObject({ store: false, include: ['reasoning.encrypted_content'] });
    const input = followUp.input as Array<Record<string, unknown>>;
    expect(input[1]).toEqual({ type: 'reasoning', id: done.id, encrypted_content: done.encrypted_content, summary: done.summary });
    expect(input[1]?.encrypted_content).not.toBe(added.encrypted_content);
    expect(input[2]).toEqual({ type: 'function_call', call_id: call.id, name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(input[3]).toEqual({ type: 'function_call_output', call_id: call.id, output: '{"forecast":"light rain from 14:00"}' });
    expect(lastUsage(second.events)).toEqual({ type: 'usage', promptTokens: 590, completionTokens: 96, cachedPromptTokens: 512, reasoningTokens: 64 });
  });

  test('a reply cut by max_output_tokens finishes as length and keeps the text that arrived', async () => {
    const provider = await responses(['responses-incomplete-max-output-tokens.sse']);

    const { events } = await drain(provider.stream(ask('A 2,000-word history of the printing press', { model: 'o4-mini', maxTokens: 200 })));

    expect(textOf(events)).toBe('The printing press changed Europe in three');
    expect(lastUsage(events)).toMatchObject({ completionTokens: 200, reasoningTokens: 192 });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });
});

describe('recorded Chat Completions streams', () => {
  test.each([
    ['chat-completions-reasoning-content.sse', 'Qwen/Qwen3-8B', /^The user asks for 17 times 23/, '17 × 23 = 391.'],
    ['chat-completions-reasoning-ollama.sse', 'qwen3:8b', /^Okay, a haiku about autumn/, 'Red leaves drift and fall\nCool wind hums through empty trees\nThe year exhales slow'],
  ])('a compatible server’s reasoning (%s) streams as reasoning, closed before the answer, with nothing to send back', async (recording, model, thought, answer) => {
    replay = await startReplay([recording]);
    const provider = createOpenAIProvider({ apiKeys: ['sk-replay'], baseURL: replay.url, maxRetries: 0 });

    const { events } = await drain(provider.stream(ask('question', { model })));

    const kinds = events.map((event) => event.type);
    expect(kinds.indexOf('reasoning-start')).toBeLessThan(kinds.indexOf('reasoning-delta'));
    expect(kinds.indexOf('reasoning-part')).toBeLessThan(kinds.indexOf('text-delta'));
    expect(joined(events, 'reasoning-delta')).toMatch(thought);
    const part = events.find((event) => event.type === 'reasoning-part');
    expect(part).toEqual({ type: 'reasoning-part', part: { type: 'reasoning', provider: 'openai', text: joined(events, 'reasoning-delta') } });
    expect(textOf(events)).toBe(answer);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  test('delta.refusal chunks reach the caller as a refusal with finish content-filter and cached prompt tokens', async () => {
    replay = await startReplay(['chat-completions-refusal.sse']);
    const provider = createOpenAIProvider({ apiKeys: ['sk-replay'], baseURL: replay.url, maxRetries: 0 });

    const { events } = await drain(provider.stream(ask('Something harmful', { model: 'gpt-4o' })));

    expect(joined(events, 'refusal-delta')).toBe("I'm sorry, I can't assist with that request.");
    expect(textOf(events)).toBe('');
    expect(lastUsage(events)).toEqual({ type: 'usage', promptTokens: 1301, completionTokens: 11, cachedPromptTokens: 1152 });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });
});
