import 'server-only';
import { ChatError } from '../protocol/errors';
import { isDecimal, numeratorToMoney, tokenCostNumerator } from '../protocol/decimal';
import { DEFAULT_MODELS, type ModelInfo, type ModelProvider } from './models';

/**
 * What a request costs, from the model table in ./models. Money is a decimal string of dollars;
 * an unknown model costs `null` ("unknown"), never 0 and never an exception, and is reported once
 * per model id so a missing row is noticed without flooding the logs.
 */

export type { ModelInfo, ModelProvider } from './models';

export interface TokenUsage {
  provider: ModelProvider;
  model: string;
  /**
   * Every input token of the request, cached ones included (OpenAI's `prompt_tokens`; for
   * Anthropic `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`).
   */
  promptTokens: number;
  completionTokens: number;
  /** The part of `promptTokens` served from the prompt cache, billed at the cached rate. */
  cachedPromptTokens?: number;
  /**
   * The part of `promptTokens` written to the prompt cache for 5 minutes (Anthropic bills 1.25×
   * input) and for 1 hour (2× input). OpenAI caches for free and reports none.
   */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
}

export interface CostBreakdown {
  /** The table row that priced the request (a snapshot id resolves to its family's row). */
  model: ModelInfo;
  inputCost: string;
  cachedInputCost: string;
  cacheWriteCost: string;
  outputCost: string;
  total: string;
  /** Whether the request's prompt was long enough to bill at the model's long-prompt band. */
  longPrompt: boolean;
}

export interface Pricing {
  /** The table row for a model id: exact id or alias first, then the longest family of a snapshot. */
  resolveModel(provider: ModelProvider, model: string): ModelInfo | null;
  /** Dollars as a decimal string, or null when the model is not in the table. */
  calculateCost(usage: TokenUsage): string | null;
  /** The cost split into line items, or null when the model is not in the table. */
  describeCost(usage: TokenUsage): CostBreakdown | null;
  /** Adds models, or replaces those with the same provider and id. */
  registerModels(models: readonly ModelInfo[]): void;
  listModels(): readonly ModelInfo[];
}

export interface PricingOptions {
  /** Extra or overriding rows (e.g. a local OpenAI-compatible model at price "0"). */
  models?: readonly ModelInfo[];
  /** Start from the built-in table (default true). */
  includeDefaults?: boolean;
  /** Where the once-per-model warning goes (default console.warn). */
  warn?: (message: string) => void;
}

// What may follow a family id in a snapshot name: -2024-08-06, -20250929, -0613, -latest, or an
// Ollama-style :tag. Anything else ("-mini-…", "-5-…") is a different family.
const SNAPSHOT_SUFFIX = /^(?:-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)|:[\w.-]+)$/;

/** A pricing table with its own overrides and warnings; the module keeps a default one. */
export function createPricing(options: PricingOptions = {}): Pricing {
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const rows = new Map<string, ModelInfo>();
  const lookups = new Map<string, ModelInfo | null>();
  const warned = new Set<string>();

  function register(models: readonly ModelInfo[]): void {
    for (const model of models) {
      assertValidModel(model);
      rows.set(key(model.provider, model.id), model);
    }
    lookups.clear();
  }

  function resolveModel(provider: ModelProvider, model: string): ModelInfo | null {
    const wanted = model.trim().toLowerCase();
    const cacheKey = key(provider, wanted);
    const cached = lookups.get(cacheKey);
    if (cached !== undefined) return cached;

    let found: ModelInfo | null = rows.get(cacheKey) ?? null;
    if (!found) {
      for (const row of rows.values()) {
        if (row.provider !== provider) continue;
        if (row.aliases?.some((alias) => alias.toLowerCase() === wanted)) {
          found = row;
          break;
        }
        const family = row.id.toLowerCase();
        const isSnapshot = wanted.startsWith(family) && SNAPSHOT_SUFFIX.test(wanted.slice(family.length));
        if (isSnapshot && (!found || family.length > found.id.length)) found = row;
      }
    }
    // Model ids can come from requests: keep the memo from growing without bound.
    if (lookups.size >= 1_000) lookups.clear();
    lookups.set(cacheKey, found);
    return found;
  }

  function describeCost(usage: TokenUsage): CostBreakdown | null {
    const model = resolveModel(usage.provider, usage.model);
    if (!model) {
      warnOnce(`${usage.provider}:${usage.model}`, `[ai-chat] No price for ${usage.provider} model "${usage.model}": its cost is recorded as unknown. Add it with registerModels().`);
      return null;
    }
    const cached = usage.cachedPromptTokens ?? 0;
    const writes5m = usage.cacheWriteTokens ?? 0;
    const writes1h = usage.cacheWrite1hTokens ?? 0;
    const counts = [usage.promptTokens, usage.completionTokens, cached, writes5m, writes1h];
    if (!counts.every((count) => Number.isSafeInteger(count) && count >= 0)) {
      warnOnce(`usage:${usage.model}`, `[ai-chat] Invalid token usage for "${usage.model}": its cost is recorded as unknown.`);
      return null;
    }
    // Cached tokens are part of the prompt; a provider never reports more than the prompt.
    const cachedTokens = Math.min(cached, usage.promptTokens);
    const write5mTokens = Math.min(writes5m, usage.promptTokens - cachedTokens);
    const write1hTokens = Math.min(writes1h, usage.promptTokens - cachedTokens - write5mTokens);
    const freshTokens = usage.promptTokens - cachedTokens - write5mTokens - write1hTokens;

    const band = model.longPrompt && usage.promptTokens > model.longPrompt.aboveTokens ? model.longPrompt : undefined;
    const inputRate = band?.input ?? model.input;
    const cachedRate = band?.cachedInput ?? model.cachedInput ?? inputRate;
    const outputRate = band?.output ?? model.output;

    const input = tokenCostNumerator(freshTokens, inputRate);
    const cachedInput = tokenCostNumerator(cachedTokens, cachedRate);
    const cacheWrite =
      cacheWriteNumerator(write5mTokens, model.cacheWrite, inputRate, CACHE_WRITE_5M) + cacheWriteNumerator(write1hTokens, model.cacheWrite1h, inputRate, CACHE_WRITE_1H);
    const output = tokenCostNumerator(usage.completionTokens, outputRate);
    return {
      model,
      inputCost: numeratorToMoney(input),
      cachedInputCost: numeratorToMoney(cachedInput),
      cacheWriteCost: numeratorToMoney(cacheWrite),
      outputCost: numeratorToMoney(output),
      // Summed before rounding, so the total is exact even when a line item is not.
      total: numeratorToMoney(input + cachedInput + cacheWrite + output),
      longPrompt: band !== undefined,
    };
  }

  function warnOnce(id: string, message: string): void {
    if (warned.has(id)) return;
    warned.add(id);
    warn(message);
  }

  register([...(options.includeDefaults === false ? [] : DEFAULT_MODELS), ...(options.models ?? [])]);

  return {
    resolveModel,
    describeCost,
    calculateCost: (usage) => describeCost(usage)?.total ?? null,
    registerModels: register,
    listModels: () => [...rows.values()],
  };
}

/** Anthropic's cache-write multipliers of the input rate, as a fraction: 5 minutes 1.25×, 1 hour 2×. */
const CACHE_WRITE_5M = { times: BigInt(5), per: BigInt(4) };
const CACHE_WRITE_1H = { times: BigInt(2), per: BigInt(1) };

/** Cache writes at the row's own write rate, else at the input rate times the multiplier (exact to 10⁻¹⁰ $/M). */
function cacheWriteNumerator(tokens: number, rate: string | undefined, inputRate: string, multiplier: { times: bigint; per: bigint }): bigint {
  if (tokens === 0) return BigInt(0);
  if (rate !== undefined) return tokenCostNumerator(tokens, rate);
  return (tokenCostNumerator(tokens, inputRate) * multiplier.times) / multiplier.per;
}

function key(provider: string, id: string): string {
  return `${provider}:${id.toLowerCase()}`;
}

function assertValidModel(model: ModelInfo): void {
  const prices = [model.input, model.output, model.cachedInput, model.cacheWrite, model.cacheWrite1h, model.longPrompt?.input, model.longPrompt?.output, model.longPrompt?.cachedInput];
  const badPrice = prices.find((price) => price !== undefined && (!isDecimal(price) || price.trim().startsWith('-')));
  const badLimit = !Number.isSafeInteger(model.contextWindow) || model.contextWindow <= 0 || !Number.isSafeInteger(model.maxOutputTokens) || model.maxOutputTokens <= 0;
  if (badPrice !== undefined || badLimit || !model.id.trim()) {
    throw new ChatError('not_configured', `The model table entry for "${model.id}" is invalid: prices must be non-negative decimal strings and limits positive integers.`);
  }
}

const defaultPricing = createPricing();

/** The module's default table (built-in models plus anything registered). */
export function getDefaultPricing(): Pricing {
  return defaultPricing;
}

/** The default table's row for a model id, or null. */
export function resolveModel(provider: ModelProvider, model: string): ModelInfo | null {
  return defaultPricing.resolveModel(provider, model);
}

/** Same as resolveModel: the price, context window and output limit of a model. */
export const getModelInfo = resolveModel;

/** Dollars as a decimal string from the default table, or null (warned once) for an unknown model. */
export function calculateCost(usage: TokenUsage): string | null {
  return defaultPricing.calculateCost(usage);
}

/** The cost split into line items from the default table, or null for an unknown model. */
export function describeCost(usage: TokenUsage): CostBreakdown | null {
  return defaultPricing.describeCost(usage);
}

/** Adds or overrides models in the default table, e.g. `{ provider: 'openai', id: 'llama3.2', input: '0', … }`. */
export function registerModels(models: readonly ModelInfo[]): void {
  defaultPricing.registerModels(models);
}
