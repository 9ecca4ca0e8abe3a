import 'server-only';
import type { ConversationRecord } from '../protocol/records';
import type { ProviderUsage } from '../providers/types';
import { parseMoney } from '../utils/decimal';
import { summarizeWithUsage, SUMMARY_MODELS } from '../utils/summarize';
import { costOf } from './accounting';
import type { ResolvedHandlerOptions, UsageAlert } from './handler-options';
import type { TurnPlan } from './plan-turn';

/**
 * Folds what fell out of the context window into the conversation's rolling summary, so the
 * next turns remember it. Runs after the reply has been delivered; billed like any call.
 */
export async function updateRollingSummary(
  plan: TurnPlan,
  conversation: ConversationRecord,
  options: ResolvedHandlerOptions,
): Promise<void> {
  if (!options.summary || plan.fitted.dropped.length === 0) return;
  const providerName = options.summary.provider ?? plan.targets[0]!.provider;
  const provider = options.providers[providerName];
  if (!provider) return;
  const model = options.summary.model ?? SUMMARY_MODELS[providerName];
  try {
    const result = await summarizeWithUsage(plan.fitted.dropped, {
      provider,
      model,
      previousSummary: conversation.summary,
    });
    await plan.user.recordUsage({
      provider: providerName,
      model,
      ...result.usage,
      cost: costOf(providerName, model, result.usage),
      conversationId: conversation.id,
    });
    if (result.summary) {
      await plan.user.updateConversation(conversation.id, {
        summary: result.summary,
        summaryThroughMessageId: plan.fitted.dropped.at(-1)!.id,
      });
    }
  } catch (error) {
    // The turn succeeded; a missing summary only means the next turn sees less of the past.
    console.error('ai-chat: could not update the conversation summary', error);
  }
}

/** The alerts this turn's usage triggers: each threshold of each limit crossed by this turn. */
export function usageAlertsCrossed(
  plan: TurnPlan,
  options: ResolvedHandlerOptions,
  turn: { usage: ProviderUsage; cost: string | null },
  totals: { tokensToday: number; costThisMonth: string },
): UsageAlert[] {
  const alerts: UsageAlert[] = [];
  const { maxTokensPerDay, maxCostPerMonth } = plan.limits;
  const turnTokens = turn.usage.promptTokens + turn.usage.completionTokens;
  for (const threshold of options.usageAlertThresholds) {
    if (maxTokensPerDay) {
      const line = maxTokensPerDay * threshold;
      if (totals.tokensToday - turnTokens < line && totals.tokensToday >= line) {
        alerts.push({ userId: plan.user.userId, limit: 'tokens_per_day', threshold, used: totals.tokensToday, max: maxTokensPerDay });
      }
    }
    if (maxCostPerMonth != null && turn.cost) {
      // Exact: threshold × limit in the same 10⁻¹⁰ units as the totals.
      const line = (parseMoney(String(maxCostPerMonth)) * BigInt(Math.round(threshold * 10_000))) / BigInt(10_000);
      const after = parseMoney(totals.costThisMonth);
      const before = after - parseMoney(turn.cost);
      if (before < line && after >= line) {
        alerts.push({ userId: plan.user.userId, limit: 'cost_per_month', threshold, used: totals.costThisMonth, max: String(maxCostPerMonth) });
      }
    }
  }
  return alerts;
}

