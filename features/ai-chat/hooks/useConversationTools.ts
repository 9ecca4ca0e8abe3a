'use client';

import { useCallback, useState } from 'react';
import { toChatError } from '../client/http-error';
import { DEFAULT_CHAT_API, getConversationTools, patchConversation } from '../client/server-api';
import type { ChatError } from '../protocol/errors';
import type { ConversationTools } from '../protocol/rest';
import { useFetched } from './useFetched';

export interface UseConversationToolsResult {
  tools: ConversationTools | null;
  loading: boolean;
  error: ChatError | null;
  /** The server being switched, until the server has saved it. */
  saving: string | null;
  /** Turns an MCP server on or off for this conversation; the list shows it at once, and as it was if the server refuses. */
  setServerEnabled: (server: string, enabled: boolean) => Promise<void>;
}

/** What the model may use in one conversation (GET …/tools), and its switch per MCP server (PATCH). */
export function useConversationTools(conversationId: string, options: { api?: string } = {}): UseConversationToolsResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const load = useCallback((signal: AbortSignal) => getConversationTools(api, conversationId, signal), [api, conversationId]);
  const { data, loading, error, refresh, setData, setError } = useFetched(load);
  const [saving, setSaving] = useState<string | null>(null);

  const setServerEnabled = useCallback(
    async (server: string, enabled: boolean) => {
      if (!data) return;
      // The whole list goes, as the server keeps it: every server now off in this chat.
      const off = data.servers.filter((each) => (each.name === server ? !enabled : !each.enabled)).map((each) => each.name);
      const show = (on: boolean) =>
        setData((current) => current && { ...current, servers: current.servers.map((each) => (each.name === server ? { ...each, enabled: on } : each)) });
      setSaving(server);
      setError(null);
      show(enabled);
      try {
        await patchConversation(api, conversationId, { disabledMcpServers: off });
      } catch (failure) {
        // Back to what was stored (read again where the server still answers), and why.
        show(!enabled);
        await refresh();
        setError(toChatError(failure));
      } finally {
        setSaving(null);
      }
    },
    [api, conversationId, data, refresh, setData, setError],
  );

  return { tools: data ?? null, loading, error, saving, setServerEnabled };
}
