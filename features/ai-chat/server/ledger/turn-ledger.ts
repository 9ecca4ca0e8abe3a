import 'server-only';
import { MIN_USEFUL_REPLY_TOKENS } from '../../protocol/chat-request';
import { ChatError } from '../../protocol/errors';
import type { ProviderUsage } from '../../providers/types';
import type { MessageRecord } from '../../protocol/records';
import type { NewMessage, UsageSettlement } from '../../store/chat-store';
import { addMoney, subtractMoney } from '../../protocol/decimal';
import { createTokenTally, type TokenTally } from '../../providers/tokens';
import { NO_USAGE, tokensOf } from './accounting';
import type { CallEstimate, CallInFlight, CallRecord, LedgerOptions, MeteredCall, SettleTarget } from './ledger-types';
import { countedTokens, estimateUsage, nonNegative, replyThatFits } from './ledger-math';
import type { ProviderTarget } from '../http/handler-options';
import { usageLimitError } from './limit-refusal';

/**
 * A turn's money, in one place. A ledger is opened by a reservation before the first provider
 * call; every further call (a tool step, a failover to a backup, a summary) first moves the hold
 * to what the turn has spent plus that call's estimate, under the same per-user lock, and is
 * refused when it does not fit; every call is metered from what the provider reported or what
 * demonstrably streamed, whichever is larger; and the turn settles exactly once, whatever
 * happened, retrying a failed settle. Until it is settled, the reservation counts at its hold.
 * A call's streamed output is counted as it arrives and the call is stopped once it passes the
 * hold: not every OpenAI-compatible server honours `max_tokens`.
 */

const SETTLE_ATTEMPTS = 4;
const SETTLE_FIRST_DELAY_MS = 200;

export type { CallEstimate, CallInFlight, CallRecord, LedgerOptions, MeteredCall, SettleTarget } from './ledger-types';

export class TurnLedger {
  private readonly calls: MeteredCall[] = [];
  private settled: Promise<boolean> | null = null;
  private inFlight: CallInFlight | null = null;
  /** What of the call in flight's text the snapshots counted already: each counts only what is new. */
  private inFlightCounted = { chars: 0, tokens: 0 };
  /** The call in flight's output as it streams, and how much of it the hold has room for. */
  private output: { tally: TokenTally; room: number; promptTokens: number } | null = null;

  private constructor(
    private readonly options: LedgerOptions,
    readonly reservationId: string,
    /** The call the reservation was made for; the settle names the last call's target. */
    private target: ProviderTarget,
    /**
     * The first call as reserved. Until it starts, a snapshot bills its prompt: the reply's run
     * row (and its fallback) is written with the question, a moment before the call goes out.
     */
    private readonly firstCall: CallInFlight,
    /** The tokens held for the turn: its spending so far plus the current call's prompt and most. */
    private holdTokens: number,
  ) {}

  /**
   * Reserves the first call. When the full reply does not fit a token or cost limit but at
   * least MIN_USEFUL_REPLY_TOKENS (or the whole request, if smaller) does, the reply is capped
   * to what is left rather than refused: a shorter answer now beats none until tomorrow.
   * Refused: a ChatError('usage_limit') saying what was wanted, what is left and when it resets.
   */
  static async open(
    options: LedgerOptions,
    first: CallEstimate & { conversationId: string | null },
  ): Promise<{ ledger: TurnLedger; replyTokens: number }> {
    const { user, limits } = options;
    const reserve = (replyTokens: number) =>
      user.reserveUsage({
        provider: first.target.provider,
        model: first.target.model,
        conversationId: first.conversationId,
        estimatedTokens: first.promptTokens + replyTokens,
        estimatedCost: options.pricing.priceOf(first.target, estimateUsage(first.promptTokens, replyTokens)) ?? '0',
        maxTokensPerDay: limits.maxTokensPerDay ?? null,
        maxCostPerMonth: limits.maxCostPerMonth ?? null,
        maxRequestsPerMinute: limits.maxRequestsPerMinute ?? null,
        purpose: options.purpose,
      });

    let replyTokens = first.replyTokens;
    let reservation = await reserve(replyTokens);
    if (!reservation.allowed && reservation.reason !== 'requests_per_minute') {
      const fits = replyThatFits(options, first, reservation);
      const useful = Math.min(MIN_USEFUL_REPLY_TOKENS, first.replyTokens);
      if (fits >= useful) {
        replyTokens = fits;
        reservation = await reserve(replyTokens);
      }
      if (!reservation.allowed && reservation.reason !== 'requests_per_minute') {
        // What the turn needed (its prompt and its reply's most) against the limit and what is used.
        const daily = reservation.reason === 'tokens_per_day';
        const facts = daily
          ? { wanted: first.promptTokens + first.replyTokens, limit: Number(limits.maxTokensPerDay), used: reservation.tokensToday }
          : {
              wanted: options.pricing.priceOf(first.target, estimateUsage(first.promptTokens, first.replyTokens)) ?? '0',
              limit: String(limits.maxCostPerMonth),
              used: reservation.costThisMonth,
            };
        throw usageLimitError({ reason: reservation.reason, retryAfterSeconds: reservation.retryAfterSeconds, ...facts });
      }
    }
    if (!reservation.allowed) {
      throw usageLimitError({ reason: reservation.reason, retryAfterSeconds: reservation.retryAfterSeconds });
    }
    const firstCall = { target: first.target, promptTokens: first.promptTokens, streamedText: () => '' };
    const holdTokens = first.promptTokens + replyTokens;
    return { ledger: new TurnLedger(options, reservation.reservationId, first.target, firstCall, holdTokens), replyTokens };
  }

  /**
   * Before every provider call after the first: the hold becomes what was spent plus this
   * call's most, if the limits allow; else a usage_limit ChatError (the turn then settles).
   */
  async beforeCall(next: CallEstimate): Promise<void> {
    if (this.settled) throw new ChatError('internal', 'The turn is already settled.');
    const spent = this.totals();
    const nextUsage = estimateUsage(next.promptTokens, next.replyTokens);
    const tokens = spent.usage.promptTokens + spent.usage.completionTokens + next.promptTokens + next.replyTokens;
    const cost = addMoney(spent.cost ?? '0', this.options.pricing.priceOf(next.target, nextUsage) ?? '0');
    const hold = await this.options.user.holdUsage(this.reservationId, {
      tokens,
      cost,
      maxTokensPerDay: this.options.limits.maxTokensPerDay ?? null,
      maxCostPerMonth: this.options.limits.maxCostPerMonth ?? null,
    });
    if (!hold.allowed) {
      const left =
        hold.reason === 'tokens_per_day'
          ? Math.max(0, Number(this.options.limits.maxTokensPerDay) - hold.tokensToday)
          : nonNegative(subtractMoney(String(this.options.limits.maxCostPerMonth), hold.costThisMonth));
      throw usageLimitError({ reason: hold.reason, retryAfterSeconds: hold.retryAfterSeconds, left, midTurn: true });
    }
    this.holdTokens = tokens;
  }

  /**
   * Meters one call. A call that ran to its end bills what the provider reported. One cut short
   * bills the larger of what was reported and what we count of what it sent: a Claude stream cut
   * before `message_delta` reports 1 output token, an abort before OpenAI's usage chunk reports
   * nothing. (Our Claude count over-estimates, so it is never used against a final report.)
   * Once the provider answered 200, the prompt is billed.
   */
  meter(call: CallRecord): MeteredCall {
    this.inFlight = null;
    this.output = null;
    const reported = call.reported;
    // Counted only when the report is not the bill: a whole reply is never re-tokenised.
    const completionTokens =
      call.complete && reported ? reported.completionTokens : Math.max(reported?.completionTokens ?? 0, countedTokens(call));
    const billed = call.accepted || reported !== null || completionTokens > 0;
    const usage: ProviderUsage = billed
      ? {
          ...reported,
          promptTokens: reported && reported.promptTokens > 0 ? reported.promptTokens : call.promptTokens,
          completionTokens,
          cachedPromptTokens: reported?.cachedPromptTokens ?? 0,
        }
      : NO_USAGE;
    const metered = { target: call.target, usage, cost: this.options.pricing.priceOf(call.target, usage) };
    this.calls.push(metered);
    if (billed) this.target = call.target;
    return metered;
  }

  /** A provider call begins: until it is metered, the provisional snapshot bills its prompt and what it streamed. */
  callStarted(call: CallInFlight): void {
    this.inFlight = call;
    this.inFlightCounted = { chars: 0, tokens: 0 };
    const { usage } = this.totals();
    this.output = {
      tally: createTokenTally(call.target),
      room: this.holdTokens - usage.promptTokens - usage.completionTokens - call.promptTokens,
      promptTokens: call.promptTokens,
    };
  }

  /**
   * The provider's own count of the call in flight's prompt (Claude's `message_start`, before the
   * first token). It is what will be billed, so output gets that much less room when it is more
   * than ours.
   */
  promptReported(promptTokens: number): void {
    if (!this.output || promptTokens <= this.output.promptTokens) return;
    this.output.room -= promptTokens - this.output.promptTokens;
    this.output.promptTokens = promptTokens;
  }

  /**
   * Counts a piece of the call in flight's output (text, reasoning, refusal, a tool call) as it
   * streams: false once the call has passed its hold, and the caller must stop it there. The
   * piece that passes it has streamed and is billed, so a turn ends at most one piece past.
   */
  withinHold(piece: string): boolean {
    if (!this.output) return true;
    return this.output.tally.add(piece) <= this.output.room;
  }

  /**
   * What the turn would settle at if it ended now: every metered call, plus the call in flight's
   * (before any, the first call's) prompt and its streamed text counted. For a reply's checkpoint (about once a second), so the
   * settlement of a run whose server died is never less than what demonstrably streamed.
   */
  provisional(): { target: ProviderTarget; usage: ProviderUsage; cost: string | null } {
    const call = this.inFlight ?? (this.calls.length === 0 ? this.firstCall : null);
    if (!call) return this.totals();
    // Only the text streamed since the last snapshot is counted (within a token per snapshot of
    // the whole count), so a long reply's checkpoints do not re-tokenise all of it every second.
    const text = call.streamedText();
    const counted = this.inFlightCounted;
    if (text.length > counted.chars) {
      counted.tokens += tokensOf(text.slice(counted.chars), call.target.provider, call.target.model);
      counted.chars = text.length;
    }
    const usage: ProviderUsage = { promptTokens: call.promptTokens, completionTokens: counted.tokens, cachedPromptTokens: 0 };
    return this.totals([{ target: call.target, usage, cost: this.options.pricing.priceOf(call.target, usage) }], call.target);
  }

  /** Everything metered so far; cost null only when a billed call could not be priced. */
  totals(extra: readonly MeteredCall[] = [], target = this.target): { target: ProviderTarget; usage: ProviderUsage; cost: string | null } {
    let usage: ProviderUsage = { ...NO_USAGE, cacheWriteTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 };
    let cost: string | null = '0';
    for (const call of [...this.calls, ...extra]) {
      usage = {
        promptTokens: usage.promptTokens + call.usage.promptTokens,
        completionTokens: usage.completionTokens + call.usage.completionTokens,
        cachedPromptTokens: usage.cachedPromptTokens + call.usage.cachedPromptTokens,
        cacheWriteTokens: (usage.cacheWriteTokens ?? 0) + (call.usage.cacheWriteTokens ?? 0),
        cacheWrite1hTokens: (usage.cacheWrite1hTokens ?? 0) + (call.usage.cacheWrite1hTokens ?? 0),
        reasoningTokens: (usage.reasoningTokens ?? 0) + (call.usage.reasoningTokens ?? 0),
      };
      // An unpriced call makes the whole cost unknown, unless it billed nothing.
      const billed = call.usage.promptTokens + call.usage.completionTokens > 0;
      if (call.cost === null) cost = billed ? null : cost;
      else if (cost !== null) cost = addMoney(cost, call.cost);
    }
    return { target, usage, cost };
  }

  /**
   * Replaces the reservation with what was metered. Exactly once: later calls return the first
   * one's outcome. A failed write is retried with backoff (0.2 s, 0.8 s, 3.2 s); if every try
   * fails the reservation stays at its hold, which is never less than what the turn spent.
   */
  settle(target: SettleTarget): Promise<boolean> {
    this.settled ??= this.settleWithRetries(target);
    return this.settled;
  }

  /**
   * Saves the turn's answer and settles, in one transaction where the store can (the turn's last
   * two writes in one round trip); else, or if that fails, the answer and then the settle, as
   * before. Throws when the answer could not be saved: the turn is settled without it by then.
   */
  async settleWithAnswer(answer: NewMessage): Promise<MessageRecord> {
    const { user } = this.options;
    const target = { messageId: answer.id ?? null, conversationId: answer.conversationId };
    if (user.appendMessageAndSettle && !this.settled && answer.id) {
      try {
        const saved = await user.appendMessageAndSettle(answer, this.reservationId, this.settlementFor(target));
        this.settled ??= Promise.resolve(saved.settled);
        return saved.message;
      } catch {
        // Neither was written: the two steps below say what failed, each with its own handling.
      }
    }
    let message: MessageRecord;
    try {
      message = await user.appendMessage(answer);
    } catch (error) {
      await this.settle({ messageId: null, conversationId: answer.conversationId });
      throw error;
    }
    await this.settle({ messageId: message.id, conversationId: answer.conversationId });
    return message;
  }

  /** What the reservation becomes: every metered call, on the last billed call's target. */
  private settlementFor(target: SettleTarget): UsageSettlement {
    const { usage, cost } = this.totals();
    return {
      provider: this.target.provider,
      model: this.target.model,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedPromptTokens: usage.cachedPromptTokens,
      cacheWriteTokens: (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0),
      cost,
      messageId: target.messageId,
      conversationId: target.conversationId,
    };
  }

  private async settleWithRetries(target: SettleTarget): Promise<boolean> {
    const settlement = this.settlementFor(target);
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.options.user.settleUsage(this.reservationId, settlement);
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS) {
          console.error(`ai-chat: could not settle usage ${this.reservationId} after ${attempt} tries; it stays held at its estimate`, error);
          return false;
        }
        await sleep(SETTLE_FIRST_DELAY_MS * 4 ** (attempt - 1));
      }
    }
  }
}
