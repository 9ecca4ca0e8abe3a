import { describe, expect, it } from 'vitest';
import { ChatError } from '../../features/ai-chat/protocol/errors';
import { fitToContextWindow, truncateMessages, truncateMessagesDetailed } from '../../features/ai-chat/server/turn/context';
import { createPricing } from '../../features/ai-chat/providers/pricing';
import { countConversationTokens, countMessageTokens } from '../../features/ai-chat/providers/tokens';

interface Message {
  id: number;
  role: 'system' | 'user' | 'assistant';
  content: string;
  tokens?: number;
}

const GPT_4O = { provider: 'openai', model: 'gpt-4o' } as const;
const SENTENCES = [
  'Could you explain how photosynthesis turns light into sugar?',
  'Chlorophyll absorbs light, and the energy splits water and fixes carbon dioxide into glucose.',
  'What about plants that live in deep shade under a forest canopy?',
  'They have larger leaves and more chlorophyll b, which catches the wavelengths that filter through.',
];

/** A system prompt then alternating user/assistant turns of varied length, without stored counts. */
function conversation(turns: number): Message[] {
  const messages: Message[] = [{ id: 0, role: 'system', content: 'You are a patient biology tutor. Answer in plain English.' }];
  for (let i = 1; i <= turns; i++) {
    const sentence = SENTENCES[i % SENTENCES.length]!;
    messages.push({ id: i, role: i % 2 ? 'user' : 'assistant', content: `${i}. ${sentence.repeat(1 + (i % 3))}` });
  }
  return messages;
}

describe('truncateMessages', () => {
  it('keeps the system prompt and the most recent messages, within the budget as the real tokenizer counts it', () => {
    const messages = conversation(40);
    const maxTokens = 400;
    const result = truncateMessagesDetailed(messages, { maxTokens, keepRecentMessages: 4, ...GPT_4O });

    expect(result.messages[0]!.role).toBe('system');
    expect(result.messages.slice(-4)).toEqual(messages.slice(-4));
    expect(result.totalTokens).toBe(countConversationTokens(result.messages, GPT_4O));
    expect(result.totalTokens).toBeLessThanOrEqual(maxTokens);
    expect(result.fits).toBe(true);
    // It used the room it had: the newest dropped message would not have fitted.
    const newestDropped = result.dropped.at(-1)!;
    expect(result.totalTokens + countMessageTokens(newestDropped, GPT_4O)).toBeGreaterThan(maxTokens);
  });

  it('keeps messages in their original order and drops only the oldest run', () => {
    const messages = conversation(40);
    const { messages: kept, dropped } = truncateMessagesDetailed(messages, { maxTokens: 500, ...GPT_4O });
    const keptIds = kept.map((m) => m.id);
    expect(keptIds).toEqual([...keptIds].sort((a, b) => a - b));
    expect([...dropped, ...kept].map((m) => m.id).sort((a, b) => a - b)).toEqual(messages.map((m) => m.id));
    const firstKeptHistory = kept[1]!.id;
    expect(dropped.every((m) => m.id < firstKeptHistory)).toBe(true);
    expect(keptIds.slice(1)).toEqual(messages.slice(firstKeptHistory).map((m) => m.id));
  });

  it('keeps everything when the whole history fits', () => {
    const messages = conversation(6);
    expect(truncateMessages(messages, { maxTokens: 100_000, ...GPT_4O })).toEqual(messages);
  });

  it('trusts stored token counts, even wrong ones, and never re-tokenises them', () => {
    const huge = 'photosynthesis '.repeat(5_000);
    // Every message claims 1 token although each is ~5,000: trusted, all ten fit in 100.
    const underCounted: Message[] = Array.from({ length: 10 }, (_, i) => ({ id: i, role: i % 2 ? 'assistant' : 'user', content: huge, tokens: 1 }));
    const fitted = truncateMessagesDetailed(underCounted, { maxTokens: 100, keepRecentMessages: 2, ...GPT_4O });
    expect(fitted.messages).toHaveLength(10);
    expect(fitted.totalTokens).toBe(3 + 10 * (1 + 3));

    // Tiny messages that claim 1,000 tokens each: trusted, only the last exchange survives.
    const overCounted: Message[] = Array.from({ length: 10 }, (_, i) => ({ id: i, role: i % 2 ? 'assistant' : 'user', content: 'hi', tokens: 1_000 }));
    const kept = truncateMessages(overCounted, { maxTokens: 2_100, keepRecentMessages: 4, ...GPT_4O });
    expect(kept.map((m) => m.id)).toEqual([8, 9]);
  });

  it('drops the oldest of the recent messages when they do not all fit, but never the last user message', () => {
    const messages: Message[] = [
      { id: 0, role: 'system', content: 'sys', tokens: 10 },
      { id: 1, role: 'user', content: 'old', tokens: 10 },
      { id: 2, role: 'assistant', content: 'long answer', tokens: 300 },
      { id: 3, role: 'user', content: 'follow-up', tokens: 50 },
      { id: 4, role: 'assistant', content: 'reply', tokens: 50 },
      { id: 5, role: 'user', content: 'latest question', tokens: 100 },
    ];
    const result = truncateMessagesDetailed(messages, { maxTokens: 250, keepRecentMessages: 4 });
    expect(result.messages.map((m) => m.id)).toEqual([0, 3, 4, 5]);
    expect(result.dropped.map((m) => m.id)).toEqual([1, 2]);
    expect(result.totalTokens).toBe(3 + 13 + 53 + 53 + 103);
  });

  it('keeps the last user message even when it alone breaks the budget, and says it does not fit', () => {
    const messages: Message[] = [
      { id: 0, role: 'system', content: 'sys', tokens: 10 },
      { id: 1, role: 'assistant', content: 'earlier', tokens: 10 },
      { id: 2, role: 'user', content: 'a whole novel', tokens: 5_000 },
    ];
    const result = truncateMessagesDetailed(messages, { maxTokens: 1_000 });
    expect(result.messages.map((m) => m.id)).toEqual([0, 2]);
    expect(result.fits).toBe(false);
  });

  it('lets an old system message go when asked not to keep the system prompt', () => {
    const messages = conversation(30);
    const kept = truncateMessages(messages, { maxTokens: 300, keepSystemPrompt: false, ...GPT_4O });
    expect(kept.some((m) => m.role === 'system')).toBe(false);
    expect(kept.at(-1)).toBe(messages.at(-1));
  });

  it('handles an empty history', () => {
    expect(truncateMessagesDetailed([], { maxTokens: 10 })).toEqual({ messages: [], dropped: [], totalTokens: 3, fits: true });
  });
});

describe('fitToContextWindow', () => {
  it("reserves the model's output limit and fits the history into the rest of the window", () => {
    const messages: Message[] = Array.from({ length: 100 }, (_, i) => ({ id: i, role: i % 2 ? 'assistant' : 'user', content: 'x', tokens: 5_000 }));
    // claude-3-haiku: 200,000-token window, 4,096-token output limit.
    const result = fitToContextWindow(messages, { provider: 'anthropic', model: 'claude-3-haiku-20240307' });
    expect(result).toMatchObject({ contextWindow: 200_000, reservedOutputTokens: 4_096, budget: 195_904 });
    expect(result.totalTokens).toBeLessThanOrEqual(195_904);
    expect(result.messages).toHaveLength(39);
  });

  it('reserves the requested maxTokens instead, when given', () => {
    const result = fitToContextWindow([{ role: 'user', content: 'hi' }], { provider: 'openai', model: 'gpt-4o', maxOutputTokens: 1_000 });
    expect(result).toMatchObject({ contextWindow: 128_000, reservedOutputTokens: 1_000, budget: 127_000 });
  });

  it('leaves room for the question on a model whose output limit equals its window', () => {
    const result = fitToContextWindow([{ role: 'user', content: 'hi' }], { provider: 'openai', model: 'gpt-4' });
    expect(result).toMatchObject({ contextWindow: 8_192, reservedOutputTokens: 4_096, budget: 4_096 });
  });

  it('uses a registered local model, or a small safe window for an unknown one', () => {
    const pricing = createPricing({
      models: [{ provider: 'openai', id: 'llama3.2', input: '0', output: '0', contextWindow: 32_000, maxOutputTokens: 2_000, pricesAsOf: '2026-11-20' }],
    });
    expect(fitToContextWindow([], { provider: 'openai', model: 'llama3.2', pricing })).toMatchObject({ budget: 30_000 });
    expect(fitToContextWindow([], { provider: 'openai', model: 'mystery-model', pricing })).toMatchObject({ contextWindow: 8_192 });
  });

  it('throws context_length when the last user message cannot fit', () => {
    const messages = [{ role: 'user', content: 'too long', tokens: 10_000 }];
    expect(() => fitToContextWindow(messages, { provider: 'openai', model: 'gpt-4' })).toThrow(
      expect.objectContaining({ code: 'context_length', status: 400 }),
    );
  });

  it('rejects a reply reserve that leaves no room for the prompt', () => {
    expect(() => fitToContextWindow([], { provider: 'openai', model: 'gpt-4', maxOutputTokens: 8_192 })).toThrow(ChatError);
  });
});
