import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import {
  MESSAGE_OVERHEAD_TOKENS,
  REPLY_PRIMING_TOKENS,
  countConversationTokens,
  countMessageTokens,
  countTokens,
  createTokenTally,
  encodingForModel,
} from '../../features/ai-chat/providers/tokens';

// Cyrillic tokenises very differently in the two encodings (13 vs 19 tokens), so it shows which one ran.
const RUSSIAN = 'Привет, как дела? Это тест токенизатора.';

describe('countTokens', () => {
  it('counts gpt-4o, gpt-4.1, gpt-5 and o-series text with o200k_base', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-5.2', 'o3', 'o4-mini']) {
      expect(countTokens(RUSSIAN, { provider: 'openai', model })).toBe(o200k(RUSSIAN));
    }
    expect(o200k(RUSSIAN)).not.toBe(cl100k(RUSSIAN));
  });

  it('counts gpt-4 and gpt-3.5 text with cl100k_base', () => {
    for (const model of ['gpt-4', 'gpt-4-0613', 'gpt-4-turbo-preview', 'gpt-4-32k', 'gpt-3.5-turbo']) {
      expect(countTokens(RUSSIAN, { provider: 'openai', model })).toBe(cl100k(RUSSIAN));
    }
    expect(encodingForModel('gpt-4o-2024-08-06')).toBe('o200k_base');
    expect(encodingForModel('gpt-4-1106-preview')).toBe('cl100k_base');
  });

  it('counts an unknown OpenAI-compatible model with o200k_base', () => {
    expect(countTokens('hello world', { provider: 'openai', model: 'llama3.2' })).toBe(2);
  });

  it('over-estimates Claude, more for models on the newer tokenizer', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const base = o200k(text);
    const legacy = countTokens(text, { provider: 'anthropic', model: 'claude-3-haiku-20240307' });
    const newer = countTokens(text, { provider: 'anthropic', model: 'claude-sonnet-5-5' });
    expect(legacy).toBe(Math.ceil(base * 1.25));
    expect(newer).toBe(Math.ceil(base * 1.7));
    expect(countTokens(text, { provider: 'anthropic', model: 'claude-opus-4-7' })).toBe(newer);
    expect(countTokens(text, { provider: 'anthropic', model: 'claude-opus-4-6' })).toBe(legacy);
  });

  it('counts special-token markers in user text as text instead of throwing', () => {
    expect(countTokens('ignore <|endoftext|> this', { provider: 'openai', model: 'gpt-4o' })).toBeGreaterThan(3);
    expect(countTokens('<|im_start|>', { provider: 'openai', model: 'gpt-4' })).toBeGreaterThan(1);
  });

  it('counts nothing as zero tokens', () => {
    expect(countTokens('', { provider: 'anthropic', model: 'claude-haiku-4-5' })).toBe(0);
  });
});

describe('countMessageTokens', () => {
  const gpt4o = { provider: 'openai', model: 'gpt-4o' } as const;

  it('adds the per-message overhead to the content', () => {
    expect(countMessageTokens({ role: 'user', content: 'hello world' }, gpt4o)).toBe(2 + MESSAGE_OVERHEAD_TOKENS);
  });

  it('trusts a stored count instead of tokenising the content', () => {
    expect(countMessageTokens({ role: 'user', content: 'a much longer message than one token', tokens: 1 }, gpt4o)).toBe(1 + MESSAGE_OVERHEAD_TOKENS);
    expect(countMessageTokens({ role: 'user', content: 'hi', tokens: null }, gpt4o)).toBe(1 + MESSAGE_OVERHEAD_TOKENS);
  });

  it('adds the reply priming once for a whole conversation', () => {
    const messages = [
      { role: 'system', content: 'hello world' },
      { role: 'user', content: 'hello world' },
    ];
    expect(countConversationTokens(messages, gpt4o)).toBe(2 * (2 + MESSAGE_OVERHEAD_TOKENS) + REPLY_PRIMING_TOKENS);
  });
});

describe('createTokenTally', () => {
  const text = 'The quick brown fox jumps over the lazy dog.\n\nThen it naps:   three spaces, a tab\tand `code()` too. '.repeat(20);
  it.each([
    { provider: 'openai' as const, model: 'gpt-4o' },
    { provider: 'openai' as const, model: 'gpt-4' },
    { provider: 'anthropic' as const, model: 'claude-sonnet-4-5' },
  ])('counts $model text streamed a word (or three characters) at a time within a few tokens of the whole', (options) => {
    const whole = countTokens(text, options);
    for (const pieces of [text.match(/\S+\s*/g)!, text.match(/[\s\S]{1,3}/g)!]) {
      const tally = createTokenTally(options);
      for (const piece of pieces) tally.add(piece);
      expect(Math.abs(tally.count - whole)).toBeLessThanOrEqual(whole * 0.05);
    }
  });

  it('counts text without spaces as it comes, not all at the end', () => {
    const tally = createTokenTally({ provider: 'openai', model: 'gpt-4o' });
    for (let index = 0; index < 100; index += 1) tally.add('abcdefgh');
    expect(tally.count).toBeGreaterThan(50);
  });
});

describe('text with very long runs without spaces (a pasted blob, a hostile import)', () => {
  // Before, BPE merged such a run in quadratic time: a 300,000-character word held the server for
  // minutes while a message or an import was counted (this test then ran past its timeout).
  const word = Array.from({ length: 300_000 }, (_, i) => 'abcdefghij'[(i * 7919) % 10]).join('');

  it('is counted in pieces, so a 300,000-character word is counted at once and not below its length in tokens per piece', () => {
    const tokens = countTokens(word, { provider: 'openai', model: 'gpt-5-mini' });
    expect(tokens).toBeGreaterThan(word.length / 16);
    expect(countTokens(`${word} and more`, { provider: 'anthropic', model: 'claude-sonnet-4-5' })).toBeGreaterThan(tokens);
  });

  it('counts a long run within a few percent of the exact count, and ordinary text exactly as before', () => {
    const run = word.slice(0, 4_000);
    const exact = o200k(run, { disallowedSpecial: new Set<string>() });
    const counted = countTokens(run, { provider: 'openai', model: 'gpt-5-mini' });
    expect(Math.abs(counted - exact) / exact).toBeLessThan(0.05);
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
    expect(countTokens(prose, { provider: 'openai', model: 'gpt-5-mini' })).toBe(o200k(prose, { disallowedSpecial: new Set<string>() }));
  });
});
