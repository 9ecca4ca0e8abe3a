'use client';

import { useCallback } from 'react';
import { DEFAULT_CHAT_API, getUsage } from '../client/server-api';
import type { ChatError } from '../protocol/errors';
import type { UsageResponse } from '../protocol/rest';
import { useFetched } from './useFetched';

export interface UseTokenUsageOptions {
  api?: string;
}

export interface UseTokenUsageResult {
  /** Tokens spent this month (replies in progress not included). */
  totalTokens: number;
  /** Dollars spent this month, as an exact decimal string ("0.0125"). */
  cost: string;
  /** Replies (requests) this month. */
  messagesCount: number;
  /** Tokens spent today (replies in progress not included). */
  tokensToday: number;
  costToday: string;
  /** The most replies in progress may still spend, held against the limits until they end. */
  tokensInProgress: number;
  /** The dollars those replies hold, as an exact decimal string. */
  costInProgress: string;
  limits: UsageResponse['limits'] | null;
  /** What is left under the limits; null where there is no limit. */
  remaining: UsageResponse['remaining'] | null;
  loading: boolean;
  error: ChatError | null;
  refresh: () => Promise<void>;
}

/**
 * The signed-in user's spending and what is left under their limits (GET /api/chat/usage).
 * `userId` is accepted for compatibility with the original API and ignored.
 */
export function useTokenUsage(_userId?: string, options: UseTokenUsageOptions = {}): UseTokenUsageResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const load = useCallback((signal: AbortSignal) => getUsage(api, signal), [api]);
  const { data, loading, error, refresh } = useFetched(load);
  return {
    totalTokens: data?.usage.tokensThisMonth ?? 0,
    cost: data?.usage.costThisMonth ?? '0',
    messagesCount: data?.usage.requestsThisMonth ?? 0,
    tokensToday: data?.usage.tokensToday ?? 0,
    costToday: data?.usage.costToday ?? '0',
    tokensInProgress: data?.usage.tokensInProgress ?? 0,
    costInProgress: data?.usage.costInProgress ?? '0',
    limits: data?.limits ?? null,
    remaining: data?.remaining ?? null,
    loading,
    error,
    refresh,
  };
}
