import 'server-only';
import type { ModelInfo } from '../models/types';

/**
 * Anthropic models priced in USD per million tokens, standard tier (global routing, not Batch,
 * not fast mode). `cachedInput` is the cache-hit ("cache read") rate. Cache writes are billed at
 * 1.25× input for 5 minutes and 2× for an hour (utils/pricing.ts applies the multipliers).
 *
 * `reasoning.thinking` is how extended thinking is turned on: `adaptive` on the 4.6 generation and
 * later (Opus 4.7 and 4.8 take nothing else; budgets are deprecated on 4.6), a `budget_tokens`
 * budget on Claude 3.7 to 4.5; absent on models that cannot think. Every Claude 3 model reads
 * images; PDFs (document blocks) came with Claude 3.5.
 */

const PRICING_PAGE = 'https://platform.claude.com/docs/en/about-claude/pricing';
const CLAUDE_3_LAUNCH = 'https://www.anthropic.com/news/claude-3-family';

export const ANTHROPIC_MODELS = [
  {
    provider: 'anthropic', id: 'claude-fable-5-2', input: '8', cachedInput: '0.20', output: '40',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-11-10',
    source: 'https://platform.claude.com/docs/en/models/fable-5-2/overview',
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    // Fable 5.1 and Mythos 5.1 read the cache at 0.025× input, not the usual 0.1×.
    provider: 'anthropic', id: 'claude-fable-5-1', input: '10', cachedInput: '0.25', output: '50',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-mythos-5-1', input: '10', cachedInput: '0.25', output: '50',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-fable-5', input: '10', cachedInput: '1', output: '50',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-mythos-5', input: '10', cachedInput: '1', output: '50',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-5-5', input: '4', cachedInput: '0.20', output: '20',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-5', input: '5', cachedInput: '0.50', output: '25',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4-8', input: '5', cachedInput: '0.50', output: '25',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4-7', input: '5', cachedInput: '0.50', output: '25',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4-6', input: '5', cachedInput: '0.50', output: '25',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4-5', input: '5', cachedInput: '0.50', output: '25',
    contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4-1', input: '15', cachedInput: '1.50', output: '75',
    contextWindow: 200_000, maxOutputTokens: 32_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    note: 'Retired on the Claude API; kept so stored conversations still price.',
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-opus-4', aliases: ['claude-opus-4-0'], input: '15', cachedInput: '1.50', output: '75',
    contextWindow: 200_000, maxOutputTokens: 32_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    note: 'Retired on the Claude API; kept so stored conversations still price.',
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    // Cache reads cut from $0.20 to $0.10 on 2026-10-07.
    provider: 'anthropic', id: 'claude-sonnet-5-5', input: '2', cachedInput: '0.10', output: '10',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-sonnet-5', input: '2', cachedInput: '0.20', output: '10',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-sonnet-4-6', input: '3', cachedInput: '0.30', output: '15',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-sonnet-4-5', input: '3', cachedInput: '0.30', output: '15',
    contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-sonnet-4', aliases: ['claude-sonnet-4-0'], input: '3', cachedInput: '0.30', output: '15',
    contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-3-7-sonnet', input: '3', cachedInput: '0.30', output: '15',
    contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    // Priced by prompt length: a prompt over 100K tokens moves the whole request, output
    // included, to the higher band.
    provider: 'anthropic', id: 'claude-haiku-5-5', input: '0.10', cachedInput: '0.01', output: '0.50',
    longPrompt: { aboveTokens: 100_000, input: '0.50', cachedInput: '0.05', output: '2.50' },
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'adaptive' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-haiku-4-5', input: '1', cachedInput: '0.10', output: '5',
    contextWindow: 200_000, maxOutputTokens: 64_000, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    reasoning: { thinking: 'budget' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-3-5-haiku', input: '0.80', cachedInput: '0.08', output: '4',
    contextWindow: 200_000, maxOutputTokens: 8_192, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'anthropic', id: 'claude-3-opus', input: '15', cachedInput: '1.50', output: '75',
    contextWindow: 200_000, maxOutputTokens: 4_096, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    accepts: { images: true },
  },
  {
    // Retired before prompt caching existed: no cache rate.
    provider: 'anthropic', id: 'claude-3-sonnet', input: '3', output: '15',
    contextWindow: 200_000, maxOutputTokens: 4_096, pricesAsOf: '2024-03-04', source: CLAUDE_3_LAUNCH,
    accepts: { images: true },
  },
  {
    provider: 'anthropic', id: 'claude-3-haiku', input: '0.25', cachedInput: '0.03', output: '1.25',
    contextWindow: 200_000, maxOutputTokens: 4_096, pricesAsOf: '2026-10-24', source: PRICING_PAGE,
    accepts: { images: true },
  },
] as const satisfies readonly ModelInfo[];
