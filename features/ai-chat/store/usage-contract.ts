/** The usage half of the store's contract: holds, their moves and their settlement. */

export interface UsageReservationRequest {
  provider: string;
  model: string;
  conversationId?: string | null;
  estimatedTokens: number;
  /** Decimal string. */
  estimatedCost: string;
  maxTokensPerDay?: number | null;
  /** Decimal string or number of dollars. */
  maxCostPerMonth?: string | number | null;
  maxRequestsPerMinute?: number | null;
  /** What the call is for; a title or a summary is billed but is not a request. Default `turn`. */
  purpose?: UsagePurpose;
}

/**
 * A person's requests are turns and imports (the requests-per-minute limit and the month's
 * request count); a title or a summary is a side call a turn caused.
 */
export type UsagePurpose = 'turn' | 'import' | 'title' | 'summary';

export type UsageLimitReason = 'tokens_per_day' | 'cost_per_month' | 'requests_per_minute';

export type UsageReservation =
  | { allowed: true; reservationId: string; tokensToday: number; costThisMonth: string }
  | {
      allowed: false;
      reason: UsageLimitReason;
      retryAfterSeconds: number;
      tokensToday: number;
      costThisMonth: string;
    };

/** A new hold for a running turn: what it has spent so far plus its next call's estimate. */
export interface UsageHoldRequest {
  tokens: number;
  /** Decimal string. */
  cost: string;
  maxTokensPerDay?: number | null;
  maxCostPerMonth?: string | number | null;
}

export type UsageHold =
  | { allowed: true; tokensToday: number; costThisMonth: string }
  | { allowed: false; reason: Exclude<UsageLimitReason, 'requests_per_minute'>; retryAfterSeconds: number; tokensToday: number; costThisMonth: string };

export interface UsageSettlement {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
  /** The part of promptTokens written to the provider's prompt cache (billed above input). */
  cacheWriteTokens?: number;
  /** Decimal string; null when the model's price is unknown. */
  cost: string | null;
  messageId?: string | null;
  conversationId?: string | null;
}
