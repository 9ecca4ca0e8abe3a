import 'server-only';
import type { ConversationRecord } from '../../protocol/records';
import type { ProviderUsage } from '../../providers/types';
import { parseMoney } from '../../protocol/decimal';
import { summarizeWithUsage, SUMMARY_MODELS } from './summarize';
import { isChatError } from '../../protocol/errors';
import { tokensOf } from '../ledger/accounting';
import { TurnLedger } from '../ledger/turn-ledger';
import type { ResolvedHandlerOptions, UsageAlert } from '../http/handler-options';
import type { TurnPlan } from './plan-turn';

/** The summary's length: a few paragraphs. */
const SUMMARY_REPLY_TOKENS = 400;
/** The summariser's instructions and the transcript's labels, over-counted. */
const SUMMARY_OVERHEAD_TOKENS = 200;

/**
 * Folds what fell out of the context window into the conversation's rolling summary, so the
 * next turns remember it. Runs after the reply has been delivered, as a call of its own through
 * a ledger: reserved against the user's limits first (skipped when it does not fit), metered,
 * settled. Summaries are kept per branch point, so a branch's summary is made once.
 */
export async function updateRollingSummary(
  plan: TurnPlan,
  conversation: ConversationRecord,
  options: ResolvedHandlerOptions,
): Promise<void> {
  const dropped = plan.fitted.dropped;
  if (!options.summary || dropped.length === 0) return;
  const providerName = options.summary.provider ?? plan.targets[0]!.provider;
  const provider = options.providers[providerName];
  if (!provider) return;
  const model = options.summary.model ?? SUMMARY_MODELS[providerName];
  const target = { provider: providerName, model };
  const promptTokens =
    SUMMARY_OVERHEAD_TOKENS +
    tokensOf([plan.fitted.summary?.summary ?? '', ...dropped.map((message) => message.content)].join('\n\n'), providerName, model);
  let ledger: TurnLedger | undefined;
  try {
    const opened = await TurnLedger.open(
      // A summary is part of the turn that caused it, not a request of its own: no per-minute check,
      // and its row is not counted as one.
      { user: plan.user, limits: { ...plan.limits, maxRequestsPerMinute: null }, pricing: options.pricing, purpose: 'summary' },
      { target, promptTokens, replyTokens: SUMMARY_REPLY_TOKENS, conversationId: conversation.id },
    );
    ledger = opened.ledger;
    const result = await summarizeWithUsage(dropped, {
      provider,
      model,
      previousSummary: plan.fitted.summary?.summary,
      maxTokens: opened.replyTokens,
    });
    ledger.meter({ target, reported: result.usage, accepted: true, complete: true, text: result.summary, toolCalls: [], promptTokens });
    await ledger.settle({ messageId: null, conversationId: conversation.id });
    // Saved for the branch point, so this branch (and any other through the same message) reuses
    // it, and switching branches back and forth never pays for it twice.
    if (result.summary) await plan.user.saveSummary(conversation.id, { summary: result.summary, throughMessageId: dropped.at(-1)!.id });
  } catch (error) {
    // The turn succeeded; a missing summary only means the next turn sees less of the past.
    if (isChatError(error) && error.code === 'usage_limit') console.warn('ai-chat: summary skipped:', error.message);
    else console.error('ai-chat: could not update the conversation summary', error);
  } finally {
    await ledger?.settle({ messageId: null, conversationId: conversation.id });
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

