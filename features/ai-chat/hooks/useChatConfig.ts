'use client';

import { useCallback } from 'react';
import { DEFAULT_CHAT_API, getChatConfig } from '../client/server-api';
import type { ChatError } from '../protocol/errors';
import type { ChatConfig } from '../protocol/rest';
import { useFetched } from './useFetched';

export interface UseChatConfigResult {
  config: ChatConfig | null;
  loading: boolean;
  error: ChatError | null;
}

/** What this server lets the client pick (GET /api/chat/config): providers, models, keys missing. */
export function useChatConfig(options: { api?: string } = {}): UseChatConfigResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const load = useCallback((signal: AbortSignal) => getChatConfig(api, signal), [api]);
  const { data, loading, error } = useFetched(load);
  return { config: data ?? null, loading, error };
}
