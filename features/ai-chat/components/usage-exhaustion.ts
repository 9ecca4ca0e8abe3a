import { MIN_USEFUL_REPLY_TOKENS } from '../protocol/chat-request';
import type { UseTokenUsageResult } from '../hooks/useTokenUsage';

/** A limit the user is already over, and when it lets them write again. */
export interface UsageExhaustion {
  limit: 'tokens_per_day' | 'cost_per_month' | 'requests_per_minute';
  resetsAt: Date;
  /** Complete words for the note under the input. */
  message: string;
}

interface ServerExhaustion {
  limit?: unknown;
  resetsAt?: unknown;
  message?: unknown;
}

const LIMITS = new Set(['tokens_per_day', 'cost_per_month', 'requests_per_minute']);

/** "in 17 h", "in 40 min", "in 3 days": how long until `at`, in words a person reads at a glance. */
export function timeUntil(at: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 60_000));
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

function nextUtcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

function nextUtcMonth(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/**
 * Whether the user is over a limit before writing anything: the server's own `exhausted` (GET
 * /usage, when it sends one) or, failing that, nothing left under the daily tokens or the monthly
 * spend. Windows are calendar days and months in UTC, as the database counts them.
 */
export function usageExhaustion(usage: UseTokenUsageResult, now: Date = new Date()): UsageExhaustion | null {
  const fromServer = (usage as UseTokenUsageResult & { exhausted?: ServerExhaustion | null }).exhausted;
  if (fromServer && typeof fromServer.message === 'string' && typeof fromServer.resetsAt === 'string') {
    const resetsAt = new Date(fromServer.resetsAt);
    const limit = typeof fromServer.limit === 'string' && LIMITS.has(fromServer.limit) ? (fromServer.limit as UsageExhaustion['limit']) : 'tokens_per_day';
    if (!Number.isNaN(resetsAt.getTime())) return { limit, resetsAt, message: fromServer.message };
  }
  const remaining = usage.remaining;
  if (!remaining) return null;
  // Less left than the least reply the server sends (and the question's own tokens): no turn fits.
  if (remaining.tokensToday !== null && remaining.tokensToday < MIN_USEFUL_REPLY_TOKENS) {
    const resetsAt = nextUtcMidnight(now);
    const what = remaining.tokensToday === 0 ? "all of today's tokens" : "nearly all of today's tokens, too many for another reply";
    return {
      limit: 'tokens_per_day',
      resetsAt,
      message: `You have used ${what}. You can write again when the limit resets at midnight UTC, ${timeUntil(resetsAt, now)}.`,
    };
  }
  if (remaining.costThisMonth !== null && Number(remaining.costThisMonth) <= 0) {
    const resetsAt = nextUtcMonth(now);
    const day = resetsAt.toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
    return {
      limit: 'cost_per_month',
      resetsAt,
      message: `You have spent this month's budget. You can write again when it resets on ${day} (UTC), ${timeUntil(resetsAt, now)}.`,
    };
  }
  return null;
}
