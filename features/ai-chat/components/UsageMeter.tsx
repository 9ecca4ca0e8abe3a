'use client';

import { formatCost, formatTokens } from '../client/format';
import type { UseTokenUsageResult } from '../hooks/useTokenUsage';

export interface UsageMeterProps {
  usage: UseTokenUsageResult;
  className?: string;
}

function Bar({ label, used, limit, text }: { label: string; used: number; limit: number; text: string }) {
  const percent = Math.min(100, Math.round((used / limit) * 100));
  const tone = percent >= 90 ? 'bg-red-500' : percent >= 70 ? 'bg-amber-500' : 'bg-blue-500';
  return (
    <div className="flex min-w-32 flex-col gap-0.5">
      <span className="text-xs text-zinc-600 dark:text-zinc-400">{text}</span>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
        className="h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div className={`h-full ${tone}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** Tokens today and dollars this month, against the limits when there are any. */
export function UsageMeter({ usage, className = '' }: UsageMeterProps) {
  if (usage.loading && !usage.limits) return <div className={`h-8 ${className}`} aria-hidden="true" />;
  const tokenLimit = usage.limits?.maxTokensPerDay ?? null;
  const costLimit = usage.limits?.maxCostPerMonth ?? null;
  const tokensText = `${formatTokens(usage.tokensToday)}${tokenLimit ? ` / ${formatTokens(tokenLimit)}` : ''} tokens today`;
  const costText = `${formatCost(usage.cost)}${costLimit ? ` / ${formatCost(costLimit)}` : ''} this month`;
  return (
    <section aria-label="Usage" className={`flex items-center gap-4 ${className}`}>
      {tokenLimit ? (
        <Bar label="Tokens used today" used={usage.tokensToday} limit={tokenLimit} text={tokensText} />
      ) : (
        <span className="text-xs text-zinc-600 dark:text-zinc-400">{tokensText}</span>
      )}
      {costLimit && Number(costLimit) > 0 ? (
        <Bar label="Spent this month" used={Number(usage.cost)} limit={Number(costLimit)} text={costText} />
      ) : (
        <span className="text-xs text-zinc-600 dark:text-zinc-400">{costText}</span>
      )}
    </section>
  );
}
