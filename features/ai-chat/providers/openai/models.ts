import 'server-only';
import type { ModelInfo } from '../models/types';

/**
 * OpenAI models priced in USD per million text tokens, standard tier (not Batch, Flex or Priority).
 * Update a row by reading the pricing page again and changing `pricesAsOf`; never interpolate.
 *
 * `reasoning`: a reasoning model, with the effort the adapters ask for when a request names none
 * (no `defaultEffort`: the API's own default, `none` on GPT-5.1 and later). Without it no
 * reasoning parameter is sent, as non-reasoning models refuse one. `accepts`: images and PDFs in
 * the input (PDFs need a vision model).
 *
 * Dated snapshots resolve to their family id, so a snapshot whose price differs from its family
 * (gpt-4o-2024-05-13, gpt-3.5-turbo-1106, …) has a row of its own.
 */

const PRICING_PAGE = 'https://developers.openai.com/api/docs/pricing';
const PRICING_PAGE_2025 = 'https://platform.openai.com/docs/pricing';
const DEPRECATIONS = 'https://platform.openai.com/docs/deprecations';

export const OPENAI_MODELS = [
  // GPT-5.4 family: short-context rates (prompts under 272K tokens); longer prompts bill on a
  // long-context schedule this table does not model.
  {
    provider: 'openai', id: 'gpt-5.4', input: '2.50', cachedInput: '0.25', output: '15.00',
    contextWindow: 1_000_000, maxOutputTokens: 128_000, pricesAsOf: '2026-05-04', source: PRICING_PAGE,
    reasoning: {}, accepts: { images: true, pdf: true },
    note: 'Prompts over 272K tokens are billed at a higher long-context rate (not modelled).',
  },
  {
    provider: 'openai', id: 'gpt-5.2', input: '1.75', cachedInput: '0.175', output: '14.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-04-13', source: PRICING_PAGE,
    reasoning: {}, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5.2-chat-latest', input: '1.75', cachedInput: '0.175', output: '14.00',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2026-04-13', source: PRICING_PAGE,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5.2-pro', input: '21.00', output: '168.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-04-13', source: PRICING_PAGE,
    reasoning: { defaultEffort: 'high' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5.1', input: '1.25', cachedInput: '0.125', output: '10.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-04-13', source: PRICING_PAGE,
    reasoning: {}, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5.1-chat-latest', input: '1.25', cachedInput: '0.125', output: '10.00',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2026-04-13', source: PRICING_PAGE,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5.1-codex', input: '1.25', cachedInput: '0.125', output: '10.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-05-05', source: PRICING_PAGE,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5', input: '1.25', cachedInput: '0.125', output: '10.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-05-05', source: PRICING_PAGE,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5-chat-latest', input: '1.25', cachedInput: '0.125', output: '10.00',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2026-05-05', source: PRICING_PAGE,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5-mini', input: '0.25', cachedInput: '0.025', output: '2.00',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-05-05', source: PRICING_PAGE,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-5-nano', input: '0.05', cachedInput: '0.005', output: '0.40',
    contextWindow: 400_000, maxOutputTokens: 128_000, pricesAsOf: '2026-05-05', source: PRICING_PAGE,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  // GPT-4.1: cache hits at a quarter of the input price.
  {
    provider: 'openai', id: 'gpt-4.1', input: '2.00', cachedInput: '0.50', output: '8.00',
    contextWindow: 1_047_576, maxOutputTokens: 32_768, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-4.1-mini', input: '0.40', cachedInput: '0.10', output: '1.60',
    contextWindow: 1_047_576, maxOutputTokens: 32_768, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-4.1-nano', input: '0.10', cachedInput: '0.025', output: '0.40',
    contextWindow: 1_047_576, maxOutputTokens: 32_768, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  // o-series reasoning models: reasoning tokens are billed as output.
  {
    provider: 'openai', id: 'o4-mini', input: '1.10', cachedInput: '0.275', output: '4.40',
    contextWindow: 200_000, maxOutputTokens: 100_000, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'o3', input: '2.00', cachedInput: '0.50', output: '8.00',
    contextWindow: 200_000, maxOutputTokens: 100_000, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'o3-mini', input: '1.10', cachedInput: '0.55', output: '4.40',
    contextWindow: 200_000, maxOutputTokens: 100_000, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    reasoning: { defaultEffort: 'medium' },
  },
  {
    provider: 'openai', id: 'o1', input: '15.00', cachedInput: '7.50', output: '60.00',
    contextWindow: 200_000, maxOutputTokens: 100_000, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    reasoning: { defaultEffort: 'medium' }, accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'o1-preview', input: '15.00', cachedInput: '7.50', output: '60.00',
    contextWindow: 128_000, maxOutputTokens: 32_768, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
  },
  {
    provider: 'openai', id: 'o1-mini', input: '1.10', cachedInput: '0.55', output: '4.40',
    contextWindow: 128_000, maxOutputTokens: 65_536, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
  },
  // GPT-4o
  {
    provider: 'openai', id: 'gpt-4o', input: '2.50', cachedInput: '1.25', output: '10.00',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  {
    // The first gpt-4o snapshot kept its launch price; it must not fall through to gpt-4o.
    provider: 'openai', id: 'gpt-4o-2024-05-13', input: '5.00', output: '15.00',
    contextWindow: 128_000, maxOutputTokens: 4_096, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-4o-mini', input: '0.15', cachedInput: '0.075', output: '0.60',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    accepts: { images: true, pdf: true },
  },
  {
    provider: 'openai', id: 'gpt-4o-audio-preview', input: '2.50', output: '10.00',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    note: 'Text-token rates; audio tokens are billed separately and not modelled.',
  },
  {
    provider: 'openai', id: 'gpt-4o-mini-audio-preview', input: '0.15', output: '0.60',
    contextWindow: 128_000, maxOutputTokens: 16_384, pricesAsOf: '2025-06-03', source: PRICING_PAGE_2025,
    note: 'Text-token rates; audio tokens are billed separately and not modelled.',
  },
  // Legacy GPT-4 and GPT-3.5: historical list prices, no prompt caching.
  {
    provider: 'openai', id: 'gpt-4-turbo', input: '10.00', output: '30.00',
    aliases: ['gpt-4-turbo-preview', 'gpt-4-0125-preview', 'gpt-4-1106-preview', 'gpt-4-vision-preview', 'gpt-4-1106-vision-preview'],
    contextWindow: 128_000, maxOutputTokens: 4_096, pricesAsOf: '2024-04-09', source: DEPRECATIONS,
    accepts: { images: true },
  },
  {
    provider: 'openai', id: 'gpt-4', input: '30.00', output: '60.00',
    contextWindow: 8_192, maxOutputTokens: 8_192, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-4-32k', input: '60.00', output: '120.00',
    contextWindow: 32_768, maxOutputTokens: 32_768, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-3.5-turbo', input: '0.50', output: '1.50',
    contextWindow: 16_385, maxOutputTokens: 4_096, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-3.5-turbo-1106', input: '1.00', output: '2.00',
    contextWindow: 16_385, maxOutputTokens: 4_096, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-3.5-turbo-0613', input: '1.50', output: '2.00',
    contextWindow: 4_096, maxOutputTokens: 4_096, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-3.5-turbo-0301', input: '1.50', output: '2.00',
    contextWindow: 4_096, maxOutputTokens: 4_096, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
  {
    provider: 'openai', id: 'gpt-3.5-turbo-16k', input: '3.00', output: '4.00',
    contextWindow: 16_385, maxOutputTokens: 4_096, pricesAsOf: '2024-01-25', source: DEPRECATIONS,
  },
] as const satisfies readonly ModelInfo[];
