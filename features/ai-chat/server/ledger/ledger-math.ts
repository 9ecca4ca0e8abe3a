import 'server-only';
import { compareMoney, parseMoney, subtractMoney } from '../../protocol/decimal';
import type { ProviderUsage } from '../../providers/types';
import { tokensOf } from './accounting';
import type { CallEstimate, CallRecord, LedgerOptions } from './ledger-types';

/** The ledger's arithmetic: estimates, what fits under the limits, what a call is counted at. */

export function estimateUsage(promptTokens: number, replyTokens: number): ProviderUsage {
  return { promptTokens, completionTokens: replyTokens, cachedPromptTokens: 0 };
}

/** The longest reply the limits leave room for after this prompt (0 when none). */
export function replyThatFits(
  options: LedgerOptions,
  first: CallEstimate,
  used: { tokensToday: number; costThisMonth: string },
): number {
  let fits = first.replyTokens;
  const { maxTokensPerDay, maxCostPerMonth } = options.limits;
  if (maxTokensPerDay != null) fits = Math.min(fits, maxTokensPerDay - used.tokensToday - first.promptTokens);
  if (maxCostPerMonth != null) {
    const left = parseMoney(subtractMoney(String(maxCostPerMonth), used.costThisMonth));
    const promptCost = parseMoney(options.pricing.priceOf(first.target, estimateUsage(first.promptTokens, 0)) ?? '0');
    const perToken = parseMoney(options.pricing.priceOf(first.target, estimateUsage(0, 1_000_000)) ?? '0');
    if (perToken > BigInt(0)) {
      // perToken is the price of a million output tokens; scale back to one token.
      fits = Math.min(fits, Number(((left - promptCost) * BigInt(1_000_000)) / perToken));
    }
  }
  return Math.max(0, Math.floor(fits));
}

export function nonNegative(money: string): string {
  return compareMoney(money, '0') > 0 ? money : '0';
}

/** What we count of what a call streamed: its text and its tool calls' names and arguments. */
export function countedTokens(call: CallRecord): number {
  const { provider, model } = call.target;
  const args = call.toolCalls.length > 0 ? tokensOf(JSON.stringify(call.toolCalls.map((c) => [c.name, c.args])), provider, model) : 0;
  return (call.text ? tokensOf(call.text, provider, model) : 0) + args;
}
