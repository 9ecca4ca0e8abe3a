import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatError } from '../../features/ai-chat/protocol/errors';
import { addMoney } from '../../features/ai-chat/protocol/decimal';
import { DEFAULT_MODELS, type ModelInfo } from '../../features/ai-chat/providers/models';
import { calculateCost, createPricing, getModelInfo, registerModels, resolveModel } from '../../features/ai-chat/providers/pricing';

const MILLION = 1_000_000;

const localLlama: ModelInfo = {
  provider: 'openai',
  id: 'llama3.2',
  input: '0',
  output: '0',
  contextWindow: 128_000,
  maxOutputTokens: 2_048,
  pricesAsOf: '2026-11-20',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the model table', () => {
  it('has one row per provider and id, each with a source date', () => {
    const keys = DEFAULT_MODELS.map((model) => `${model.provider}:${model.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const model of DEFAULT_MODELS) expect(model.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(DEFAULT_MODELS.map((model) => [`${model.provider} ${model.id}`, model] as const))(
    '%s: a million tokens in and a million out cost its input plus output price',
    (_name, model) => {
      const pricing = createPricing();
      // A million-token prompt is past every long-prompt threshold, so that band applies.
      const rates = model.longPrompt ?? model;
      const cost = pricing.calculateCost({ provider: model.provider, model: model.id, promptTokens: MILLION, completionTokens: MILLION });
      expect(cost).toBe(addMoney(rates.input, rates.output));
    },
  );

  it.each(DEFAULT_MODELS.map((model) => [`${model.provider} ${model.id}`, model] as const))(
    '%s: a million cached prompt tokens cost its cached rate (its input rate if it has none)',
    (_name, model) => {
      const pricing = createPricing();
      const rates = model.longPrompt ?? model;
      const cost = pricing.calculateCost({
        provider: model.provider,
        model: model.id,
        promptTokens: MILLION,
        completionTokens: 0,
        cachedPromptTokens: MILLION,
      });
      expect(cost).toBe(addMoney(rates.cachedInput ?? rates.input));
    },
  );
});

describe('calculateCost', () => {
  it("prices the spec's example: gpt-4-turbo-preview, 100 in and 200 out, is $0.007", () => {
    expect(calculateCost({ provider: 'openai', model: 'gpt-4-turbo-preview', promptTokens: 100, completionTokens: 200 })).toBe('0.007');
  });

  it('bills cached tokens as part of the prompt: the rest at the input rate, the cached part at the cached rate', () => {
    // gpt-4.1: $2 input, $0.50 cached → 600k × 2 + 400k × 0.5 = 1.2 + 0.2
    const cost = calculateCost({ provider: 'openai', model: 'gpt-4.1', promptTokens: MILLION, completionTokens: 0, cachedPromptTokens: 400_000 });
    expect(cost).toBe('1.4');
  });

  it('bills Anthropic cache writes at 1.25× input for 5 minutes and 2× for an hour, not at the input rate', () => {
    // claude-sonnet-4-5: $3 per million input. A million tokens written for 5 minutes: $3.75; for 1 hour: $6.
    const written = (usage: { cacheWriteTokens?: number; cacheWrite1hTokens?: number }) =>
      calculateCost({ provider: 'anthropic', model: 'claude-sonnet-4-5', promptTokens: 1_000_000, completionTokens: 0, ...usage });
    expect(written({})).toBe('3');
    expect(written({ cacheWriteTokens: 1_000_000 })).toBe('3.75');
    expect(written({ cacheWrite1hTokens: 1_000_000 })).toBe('6');
    // Half fresh ($1.50), a quarter written for 5 minutes ($0.9375), a quarter for an hour ($1.50).
    expect(written({ cacheWriteTokens: 250_000, cacheWrite1hTokens: 250_000 })).toBe('3.9375');
  });

  it('never bills more cached tokens than the prompt had', () => {
    const cost = calculateCost({ provider: 'anthropic', model: 'claude-haiku-4-5', promptTokens: 1_000, completionTokens: 0, cachedPromptTokens: 5_000 });
    expect(cost).toBe('0.0001');
  });

  it('moves a whole Claude Haiku 5.5 request to the higher band once its prompt passes 100K tokens', () => {
    const pricing = createPricing();
    const at = (promptTokens: number) => pricing.describeCost({ provider: 'anthropic', model: 'claude-haiku-5-5', promptTokens, completionTokens: 1_000 });
    expect(at(100_000)).toMatchObject({ longPrompt: false, inputCost: '0.01', outputCost: '0.0005' });
    expect(at(100_001)).toMatchObject({ longPrompt: true, inputCost: '0.0500005', outputCost: '0.0025' });
  });

  it('itemises a cost whose items add up to the total', () => {
    const breakdown = createPricing().describeCost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      promptTokens: 12_345,
      completionTokens: 678,
      cachedPromptTokens: 10_000,
    });
    expect(breakdown?.model.id).toBe('claude-sonnet-4-5');
    expect(breakdown).toMatchObject({ inputCost: '0.007035', cachedInputCost: '0.003', outputCost: '0.01017', total: '0.020205' });
    expect(addMoney(breakdown!.inputCost, breakdown!.cachedInputCost, breakdown!.outputCost)).toBe(breakdown!.total);
  });

  it('adds up many small requests without float drift', () => {
    // 0.1 + 0.2 style: 30 one-token requests on gpt-4.1-nano ($0.10/M) and $0.20/M would drift as floats.
    const costs = Array.from({ length: 30 }, (_, i) =>
      calculateCost({ provider: 'openai', model: i % 2 ? 'gpt-4.1-nano' : 'o3', promptTokens: 1, completionTokens: 0, cachedPromptTokens: i % 2 ? 0 : 1 })!,
    );
    expect(costs[0]).toBe('0.0000005');
    expect(costs[1]).toBe('0.0000001');
    expect(addMoney(...costs)).toBe('0.000009');
  });

  it('returns null for an unknown model and warns once per model id', () => {
    const warn = vi.fn();
    const pricing = createPricing({ warn });
    const usage = { provider: 'openai', model: 'gpt-99-ultra', promptTokens: 10, completionTokens: 10 } as const;
    expect(pricing.calculateCost(usage)).toBeNull();
    expect(pricing.calculateCost(usage)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('gpt-99-ultra');
    pricing.calculateCost({ ...usage, model: 'gpt-98-ultra' });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('warns through console.warn by default, still only once', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const usage = { provider: 'anthropic', model: 'claude-unknown-for-console-test', promptTokens: 1, completionTokens: 1 } as const;
    expect(calculateCost(usage)).toBeNull();
    expect(calculateCost(usage)).toBeNull();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('returns null instead of throwing for nonsense token counts', () => {
    const pricing = createPricing({ warn: () => {} });
    expect(pricing.calculateCost({ provider: 'openai', model: 'gpt-4o', promptTokens: -1, completionTokens: 0 })).toBeNull();
    expect(pricing.calculateCost({ provider: 'openai', model: 'gpt-4o', promptTokens: 1.5, completionTokens: 0 })).toBeNull();
  });
});

describe('resolveModel', () => {
  it.each([
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['openai', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['openai', 'gpt-5.2-pro-2025-12-11', 'gpt-5.2-pro'],
    ['openai', 'gpt-4-turbo-2024-04-09', 'gpt-4-turbo'],
    ['openai', 'gpt-4-0613', 'gpt-4'],
    ['openai', 'gpt-4-32k-0314', 'gpt-4-32k'],
    ['openai', 'gpt-3.5-turbo-16k-0613', 'gpt-3.5-turbo-16k'],
    ['openai', 'gpt-3.5-turbo-0125', 'gpt-3.5-turbo'],
    ['openai', 'o3-mini-2025-01-31', 'o3-mini'],
    ['openai', 'gpt-4o-mini-audio-preview-2024-12-17', 'gpt-4o-mini-audio-preview'],
    ['anthropic', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['anthropic', 'claude-opus-4-5-20251101', 'claude-opus-4-5'],
    ['anthropic', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5'],
    ['anthropic', 'claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['anthropic', 'claude-3-opus-20240229', 'claude-3-opus'],
    ['anthropic', 'claude-3-sonnet-20240229', 'claude-3-sonnet'],
    ['anthropic', 'claude-3-haiku-20240307', 'claude-3-haiku'],
    ['anthropic', 'claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['anthropic', 'claude-opus-4-0', 'claude-opus-4'],
  ] as const)('resolves %s %s to the %s row', (provider, model, family) => {
    expect(resolveModel(provider, model)?.id).toBe(family);
  });

  it('prefers an exact row over the family, so a snapshot with its own price keeps it', () => {
    expect(resolveModel('openai', 'gpt-4o-2024-05-13')).toMatchObject({ id: 'gpt-4o-2024-05-13', input: '5.00' });
    expect(resolveModel('openai', 'gpt-3.5-turbo-1106')).toMatchObject({ id: 'gpt-3.5-turbo-1106', input: '1.00' });
  });

  it('resolves the spec models, including gpt-4-turbo-preview as a gpt-4-turbo alias', () => {
    expect(resolveModel('openai', 'gpt-4-turbo-preview')?.id).toBe('gpt-4-turbo');
    expect(resolveModel('openai', 'gpt-4')?.input).toBe('30.00');
    expect(resolveModel('openai', 'gpt-3.5-turbo')?.output).toBe('1.50');
  });

  it('never resolves to a wrong family', () => {
    expect(resolveModel('openai', 'gpt-4o-mini-realtime-preview')).toBeNull();
    expect(resolveModel('openai', 'gpt-4o-mini-something-2024-07-18')).toBeNull();
    expect(resolveModel('openai', 'gpt-4.5-preview')).toBeNull();
    expect(resolveModel('anthropic', 'claude-opus-4-9')).toBeNull();
    expect(resolveModel('anthropic', 'claude-sonnet-4-7-20270101')).toBeNull();
  });

  it('does not cross providers', () => {
    expect(resolveModel('anthropic', 'gpt-4o')).toBeNull();
    expect(resolveModel('openai', 'claude-sonnet-4-5')).toBeNull();
  });

  it('is the same lookup as getModelInfo, with limits', () => {
    expect(getModelInfo('anthropic', 'claude-3-haiku-20240307')).toMatchObject({ contextWindow: 200_000, maxOutputTokens: 4_096 });
  });
});

describe('adding and overriding models', () => {
  it('prices a local OpenAI-compatible model at zero', () => {
    const warn = vi.fn();
    const pricing = createPricing({ models: [localLlama], warn });
    expect(pricing.calculateCost({ provider: 'openai', model: 'llama3.2', promptTokens: 5_000, completionTokens: 900 })).toBe('0');
    expect(pricing.resolveModel('openai', 'llama3.2:latest')?.id).toBe('llama3.2');
    expect(warn).not.toHaveBeenCalled();
  });

  it('lets an app override a built-in price without touching other tables', () => {
    const discounted = createPricing({ models: [{ ...resolveModel('openai', 'gpt-4o')!, input: '1.00' }] });
    expect(discounted.calculateCost({ provider: 'openai', model: 'gpt-4o-2024-11-20', promptTokens: MILLION, completionTokens: 0 })).toBe('1');
    expect(calculateCost({ provider: 'openai', model: 'gpt-4o-2024-11-20', promptTokens: MILLION, completionTokens: 0 })).toBe('2.5');
  });

  it('registers models in the default table for later lookups', () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    registerModels([{ ...localLlama, id: 'qwen2.5-coder-test' }]);
    expect(calculateCost({ provider: 'openai', model: 'qwen2.5-coder-test', promptTokens: 10, completionTokens: 10 })).toBe('0');
    expect(spy).not.toHaveBeenCalled();
  });

  it('can start from an empty table', () => {
    const pricing = createPricing({ includeDefaults: false, models: [localLlama], warn: () => {} });
    expect(pricing.listModels()).toHaveLength(1);
    expect(pricing.calculateCost({ provider: 'openai', model: 'gpt-4o', promptTokens: 1, completionTokens: 1 })).toBeNull();
  });

  it('rejects a row whose price is not a decimal string', () => {
    const attempt = (row: ModelInfo) => () => createPricing({ models: [row] });
    expect(attempt({ ...localLlama, input: '0.1e-3' })).toThrow(ChatError);
    expect(attempt({ ...localLlama, output: '-1' })).toThrow(ChatError);
    expect(attempt({ ...localLlama, contextWindow: 0 })).toThrow(expect.objectContaining({ code: 'not_configured' }));
  });
});
