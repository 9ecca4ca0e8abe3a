import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { UsageSummary } from '../../protocol/records';
import type { UsageResponse } from '../../protocol/rest';
import type { ChatStore, UserChatStore } from '../../store/chat-store';
import { getChatStore } from '../../store';
import { compareMoney, subtractMoney } from '../../protocol/decimal';

/**
 * Usage limits per user. The enforcement that holds under concurrency is in the chat handler
 * (an atomic reservation in the database); these are the read-only checks and figures around it.
 */

export interface UsageLimitValues {
  maxTokensPerDay?: number | null;
  /** Dollars. */
  maxCostPerMonth?: number | string | null;
  maxRequestsPerMinute?: number | null;
}

export interface CheckUsageLimitOptions extends UsageLimitValues {
  /** The request whose session says who the user is. */
  request?: Request;
  /** Or the user's store, when you already have it. */
  user?: UserChatStore;
  /** Default: the store the environment configures. */
  store?: ChatStore;
  /**
   * Accepted for compatibility with the original API and ignored: who the user is comes from the
   * session, never from a value a caller could forge.
   */
  userId?: string;
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

/** Whether the user is still under both limits (as the original `checkUsageLimit`). */
export async function checkUsageLimit(options: CheckUsageLimitOptions): Promise<boolean> {
  const status = await getUsageLimitStatus(options);
  const { remaining } = status;
  return remaining.tokensToday !== 0 && remaining.costThisMonth !== '0';
}

/** The user's usage against these limits. */
export async function getUsageLimitStatus(options: CheckUsageLimitOptions): Promise<UsageResponse> {
  const user = options.user ?? (options.request ? await (options.store ?? getChatStore()).forRequest(options.request) : null);
  if (!user) {
    throw new ChatError(
      options.request ? 'unauthorized' : 'bad_request',
      options.request ? 'Sign in to chat.' : 'checkUsageLimit needs the request (or the user store): identity comes from the session.',
    );
  }
  return describeUsage(await user.getUsageSummary(), options);
}
