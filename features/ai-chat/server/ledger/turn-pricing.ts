import 'server-only';
import { numeratorToMoney, tokenCostNumerator } from '../../protocol/decimal';
import { getDefaultPricing, type ModelInfo, type Pricing } from '../../providers/pricing';
import type { ProviderName, ProviderUsage } from '../../providers/types';
import type { ProviderTarget, UnpricedModelPrice } from '../http/handler-options';

/**
 * The one price lookup a handler uses, for every stage of a turn (the plan, the ledger, files,
 * summaries): the handler's table (default: the module's) with the operator's fallback price for
 * a model the table does not know. Nothing in a turn reads the module-wide table directly, so two
 * handlers with two tables never price each other's turns.
 */
export interface TurnPricing {
  /** The table row for a model (price, context window, output cap, what it reads), or null. */
  model(provider: ProviderName, model: string): ModelInfo | null;
  /** The dollars a usage costs: the table's price, else the fallback, else null (unpriced). */
  priceOf(target: ProviderTarget, usage: ProviderUsage): string | null;
  /** Whether a model can be priced (the table or the fallback). */
  isPriced(provider: ProviderName, model: string): boolean;
}

export function createTurnPricing(table: Pricing = getDefaultPricing(), unpriced?: UnpricedModelPrice): TurnPricing {
  return {
    model: (provider, model) => table.resolveModel(provider, model),
    priceOf(target, usage) {
      const cost = table.calculateCost({
        provider: target.provider,
        model: target.model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        cachedPromptTokens: usage.cachedPromptTokens,
        cacheWriteTokens: usage.cacheWriteTokens,
        cacheWrite1hTokens: usage.cacheWrite1hTokens,
      });
      if (cost !== null || !unpriced) return cost;
      return numeratorToMoney(tokenCostNumerator(usage.promptTokens, unpriced.input) + tokenCostNumerator(usage.completionTokens, unpriced.output));
    },
    isPriced: (provider, model) => Boolean(table.resolveModel(provider, model) ?? unpriced),
  };
}
