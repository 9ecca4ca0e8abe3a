'use client';

import { formatCost, formatTokens } from './format';
import type { UseTokenUsageResult } from '../hooks/useTokenUsage';

export interface UsageMeterProps {
  usage: UseTokenUsageResult;
  className?: string;
  /** Tokens over dollars, right-aligned (a header), instead of side by side. */
  stacked?: boolean;
}

/** What was spent, then what replies in progress hold: kept for screen readers on a phone, where the header has no room for it. */
function Line({ spent, inProgress }: { spent: string; inProgress: string }) {
  return (
    <span className="text-xs text-muted-foreground">
      {spent}
      {inProgress && <span className="max-sm:sr-only">{inProgress}</span>}
    </span>
  );
}

function Bar({ label, used, held, limit, spent, inProgress }: { label: string; used: number; held: number; limit: number; spent: string; inProgress: string }) {
  const text = spent + inProgress;
  const percent = Math.min(100, Math.round((used / limit) * 100));
  // What replies in progress hold shows after the spent part, paler: it may not all be spent.
  const heldPercent = Math.min(100 - percent, Math.round((held / limit) * 100));
  const tone = percent >= 90 ? 'bg-destructive' : percent >= 70 ? 'bg-destructive/60' : 'bg-primary';
  return (
    <div className="flex min-w-32 flex-col gap-0.5">
      <Line spent={spent} inProgress={inProgress} />
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
        className="flex h-1.5 w-full overflow-hidden rounded-full bg-muted"
      >
        <div className={`h-full ${tone}`} style={{ width: `${percent}%` }} />
        {heldPercent > 0 && <div className={`h-full ${tone} opacity-40`} style={{ width: `${heldPercent}%` }} />}
      </div>
    </div>
  );
}

/**
 * Tokens today and dollars this month, against the limits when there are any. What was spent and
 * what replies in progress hold are shown apart ("451 tokens today · up to 4.1K in progress"): a
 * hold is the most a reply may cost, not what it cost.
 */
export function UsageMeter({ usage, className = '', stacked = false }: UsageMeterProps) {
  if (usage.loading && !usage.limits) return <div className={`h-8 ${className}`} aria-hidden="true" />;
  const tokenLimit = usage.limits?.maxTokensPerDay ?? null;
  const costLimit = usage.limits?.maxCostPerMonth ?? null;
  const tokensHeld = usage.tokensInProgress ?? 0;
  const costHeld = usage.costInProgress ?? '0';
  const tokensInProgress = tokensHeld > 0 ? ` · up to ${formatTokens(tokensHeld)} in progress` : '';
  const costInProgress = Number(costHeld) > 0 ? ` · up to ${formatCost(costHeld)} in progress` : '';
  const tokensSpent = `${formatTokens(usage.tokensToday)}${tokenLimit ? ` / ${formatTokens(tokenLimit)}` : ''} tokens today`;
  const costSpent = `${formatCost(usage.cost)}${costLimit ? ` / ${formatCost(costLimit)}` : ''} this month`;
  return (
    <section aria-label="Usage" className={`flex ${stacked ? 'flex-col items-end text-right' : 'items-center gap-4'} ${className}`}>
      {tokenLimit ? (
        <Bar label="Tokens used today" used={usage.tokensToday} held={tokensHeld} limit={tokenLimit} spent={tokensSpent} inProgress={tokensInProgress} />
      ) : (
        <Line spent={tokensSpent} inProgress={tokensInProgress} />
      )}
      {costLimit && Number(costLimit) > 0 ? (
        <Bar label="Spent this month" used={Number(usage.cost)} held={Number(costHeld)} limit={Number(costLimit)} spent={costSpent} inProgress={costInProgress} />
      ) : (
        <Line spent={costSpent} inProgress={costInProgress} />
      )}
    </section>
  );
}
