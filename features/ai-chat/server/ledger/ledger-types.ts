import type { ProviderToolCall, ProviderUsage } from '../../providers/types';
import type { UserChatStore } from '../../store/chat-store';
import type { UsagePurpose } from '../../store/usage-contract';
import type { ProviderTarget, UsageLimits } from '../http/handler-options';
import type { TurnPricing } from './turn-pricing';

/** The shapes a turn's ledger is opened with, metered from and settled to (see turn-ledger). */

export interface LedgerOptions {
  user: UserChatStore;
  limits: UsageLimits;
  /** The handler's prices (its table plus the operator's fallback). */
  pricing: TurnPricing;
  /** What the ledger's call is for (default `turn`): a title or a summary is not a request. */
  purpose?: UsagePurpose;
  /** Test seam for the settle's backoff. */
  sleep?: (ms: number) => Promise<void>;
}

export interface CallEstimate {
  target: ProviderTarget;
  /** The prompt this call sends, counted. */
  promptTokens: number;
  /** The most it may write. */
  replyTokens: number;
}

/** What one provider call produced, for metering. */
export interface CallRecord {
  target: ProviderTarget;
  /** The provider's own last usage report, if any. */
  reported: ProviderUsage | null;
  /** The provider answered 200: the prompt was taken and is billed. */
  accepted: boolean;
  /** The call ran to its end (its final usage report arrived), so the report is the bill. */
  complete: boolean;
  /** What streamed to the user (or the summary's text). */
  text: string;
  toolCalls: readonly ProviderToolCall[];
  /** The prompt as we counted it, billed when the provider reported none. */
  promptTokens: number;
}

export interface MeteredCall {
  target: ProviderTarget;
  usage: ProviderUsage;
  cost: string | null;
}

export interface SettleTarget {
  messageId: string | null;
  /** The conversation to point the usage at; the database ignores it if it no longer exists. */
  conversationId: string | null;
}

/** The provider call under way, as the provisional snapshot reads it: counted only when asked. */
export interface CallInFlight {
  target: ProviderTarget;
  promptTokens: number;
  /** What it has streamed so far (text, reasoning, refusal). */
  streamedText: () => string;
}
