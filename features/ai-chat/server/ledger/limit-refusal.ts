import 'server-only';
import type { UsageLimitReason } from '../../store/chat-store';
import { ChatError } from '../../protocol/errors';

/**
 * A usage-limit refusal in words a person can act on, with the facts a client needs to decide
 * (CONTRACT.md §3): which limit, when its window resets, and whether waiting a moment helps.
 */

/** Requests-per-minute refusals shorter than this are worth a Retry button; nothing else is. */
const RETRYABLE_WITHIN_SECONDS = 120;

export interface RefusalFacts {
  reason: UsageLimitReason;
  retryAfterSeconds: number;
  /**
   * In the limit's unit (tokens, or dollars as a string): what this turn needed (its prompt and
   * its reply's most), the limit and what was used of it (holds of replies in progress included).
   */
  wanted?: number | string;
  limit?: number | string;
  used?: number | string;
  /** What is left: said by a refusal mid-turn, where the turn's own spending is in `used`. */
  left?: number | string;
  /** The refusal came before a further provider call of a running turn (a tool step, a summary). */
  midTurn?: boolean;
  now?: Date;
}

export function usageLimitError(facts: RefusalFacts): ChatError {
  const now = facts.now ?? new Date();
  const resetsAt = resetTime(facts.reason, facts.retryAfterSeconds, now);
  const retryable = facts.reason === 'requests_per_minute' && facts.retryAfterSeconds <= RETRYABLE_WITHIN_SECONDS;
  return new ChatError('usage_limit', refusalWords(facts, resetsAt, now), {
    retryAfterSeconds: facts.retryAfterSeconds,
    details: { limit: facts.reason, resetsAt: resetsAt.toISOString(), retryable },
  });
}

function refusalWords(facts: RefusalFacts, resetsAt: Date, now: Date): string {
  const wait = inWords((resetsAt.getTime() - now.getTime()) / 1000);
  if (facts.reason === 'requests_per_minute') return `Too many messages in a minute. Try again in ${wait}.`;
  const daily = facts.reason === 'tokens_per_day';
  const when = daily ? `at midnight UTC, in ${wait}` : `on ${monthDay(resetsAt)} at 00:00 UTC, in ${wait}`;
  const resets = `Your limit resets ${when}.`;
  const left = facts.left === undefined ? '' : daily ? `${tokens(Number(facts.left))} ${Number(facts.left) === 1 ? 'is' : 'are'} left today` : `${dollars(String(facts.left))} is left this month`;
  if (facts.midTurn) {
    const which = daily ? "today's token limit" : "this month's spending limit";
    return `The reply stopped here: its next step would pass ${which}${left ? ` (${left})` : ''}. ${resets}`;
  }
  if (facts.wanted !== undefined && facts.limit !== undefined && facts.used !== undefined) {
    // What was needed against the limit, not what is "left": a new user whose question alone is
    // past the limit has used nothing, and "only 0 tokens are left" said the opposite.
    const [wanted, limit, used] = daily
      ? [tokens(Number(facts.wanted)), count(Number(facts.limit)), count(Number(facts.used))]
      : [dollars(String(facts.wanted)), dollars(String(facts.limit)), dollars(String(facts.used))];
    const needs = daily ? `needs up to ${wanted}` : `could cost up to ${wanted}`;
    const period = daily ? 'daily' : 'monthly';
    return `This reply ${needs}; your ${period} limit is ${limit} (${used} used). It resets ${when}.`;
  }
  return daily ? `You've used today's token limit. ${resets}` : `You've used this month's spending limit. ${resets}`;
}

function resetTime(reason: UsageLimitReason, retryAfterSeconds: number, now: Date): Date {
  if (reason === 'tokens_per_day') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  if (reason === 'cost_per_month') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return new Date(now.getTime() + retryAfterSeconds * 1000);
}

/** "17 h", "45 min", "20 s", "12 days": the largest unit that is at least one, rounded up. */
export function inWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.ceil(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.ceil(s / 3600)} h`;
  return `${Math.ceil(s / 86_400)} days`;
}

function tokens(value: number): string {
  return `${count(value)} token${value === 1 ? '' : 's'}`;
}

function count(value: number): string {
  return Math.max(0, Math.floor(value)).toLocaleString('en-US');
}

function dollars(value: string): string {
  const amount = Number(value);
  return amount > 0 && amount < 0.01 ? `$${amount.toPrecision(2)}` : `$${Math.max(0, amount).toFixed(2)}`;
}

function monthDay(date: Date): string {
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
}
