import type { UsageSummary } from '../../protocol/records';
import type { UsageResponse } from '../../protocol/rest';
import { compareMoney, subtractMoney } from '../../protocol/decimal';

export interface UsageLimitValues {
  maxTokensPerDay?: number | null;
  /** Dollars. */
  maxCostPerMonth?: number | string | null;
  maxRequestsPerMinute?: number | null;
}

/** The user's usage, their limits and what is left: what GET /api/chat/usage answers. */
export function describeUsage(usage: UsageSummary, limits: UsageLimitValues): UsageResponse {
  const maxCost = limits.maxCostPerMonth == null ? null : String(limits.maxCostPerMonth);
  return {
    usage,
    limits: {
      maxTokensPerDay: limits.maxTokensPerDay ?? null,
      maxCostPerMonth: maxCost,
      maxRequestsPerMinute: limits.maxRequestsPerMinute ?? null,
    },
    // What a new turn could hold now: the limits count replies in progress at their holds.
    remaining: {
      tokensToday: limits.maxTokensPerDay == null ? null : Math.max(0, limits.maxTokensPerDay - usage.tokensToday - usage.tokensInProgress),
      costThisMonth: maxCost === null ? null : nonNegative(subtractMoney(subtractMoney(maxCost, usage.costThisMonth), usage.costInProgress)),
    },
  };
}

function nonNegative(money: string): string {
  return compareMoney(money, '0') > 0 ? money : '0';
}
