import 'server-only';
import type { UsageLimitReason } from '../store/chat-store';
import { ChatError } from '../protocol/errors';

/**
 * A usage-limit refusal in words a person can act on, with the facts a client needs to decide
 * (CONTRACT.md §3): which limit, when its window resets, and whether waiting a moment helps.
 */

/** Requests-per-minute refusals shorter than this are worth a Retry button; nothing else is. */
const RETRYABLE_WITHIN_SECONDS = 120;

export interface RefusalFacts {
  reason: UsageLimitReason;
  retryAfterSeconds: number;
  /** What this turn wanted and what is left, in the limit's unit (tokens, or dollars as a string). */
  wanted?: number | string;
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
  const resets = daily ? `Your limit resets at midnight UTC, in ${wait}.` : `Your limit resets on ${monthDay(resetsAt)} at 00:00 UTC, in ${wait}.`;
  const left = facts.left === undefined ? '' : daily ? `${tokens(Number(facts.left))} ${Number(facts.left) === 1 ? 'is' : 'are'} left today` : `${dollars(String(facts.left))} is left this month`;
  if (facts.midTurn) {
    const which = daily ? "today's token limit" : "this month's spending limit";
    return `The reply stopped here: its next step would pass ${which}${left ? ` (${left})` : ''}. ${resets}`;
  }
  if (facts.wanted !== undefined && facts.left !== undefined) {
    const wanted = daily ? `up to ${tokens(Number(facts.wanted))}` : `up to ${dollars(String(facts.wanted))}`;
    const verb = daily ? 'need' : 'cost';
    return `This reply could ${verb} ${wanted} but only ${left}. ${resets}`;
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

function tokens(count: number): string {
  return `${Math.max(0, Math.floor(count)).toLocaleString('en-US')} token${count === 1 ? '' : 's'}`;
}

function dollars(value: string): string {
  const amount = Number(value);
  return amount > 0 && amount < 0.01 ? `$${amount.toPrecision(2)}` : `$${Math.max(0, amount).toFixed(2)}`;
}

function monthDay(date: Date): string {
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
}
