'use client';

import { useCallback } from 'react';
import {
  createConversation as postConversation,
  deleteConversation as removeConversation,
  DEFAULT_CHAT_API,
  listConversations,
  patchConversation,
} from '../client/chat-api';
import { toChatError } from '../client/http-error';
import type { ChatError } from '../protocol/errors';
import type { ConversationRecord } from '../protocol/records';
import type { CreateConversationBody } from '../protocol/rest';
import { useFetched } from './useFetched';

const EMPTY: readonly ConversationRecord[] = [];

export interface UseConversationsOptions {
  api?: string;
}

export interface UseConversationsResult {
  /** Newest first. */
  conversations: readonly ConversationRecord[];
  loading: boolean;
  error: ChatError | null;
  refresh: () => Promise<void>;
  /** Creates an empty conversation and puts it first; throws (a ChatError) if the server refuses. */
  createConversation: (body?: CreateConversationBody) => Promise<ConversationRecord>;
  /** Renames at once; the old title comes back if the server refuses. Resolves to whether it was saved. */
  renameConversation: (id: string, title: string) => Promise<boolean>;
  /** Removes at once; the conversation comes back if the server refuses. Resolves to whether it was deleted. */
  deleteConversation: (id: string) => Promise<boolean>;
}

/**
 * The signed-in user's conversations. `userId` is accepted for compatibility with the original
 * API and ignored: the server knows who is signed in.
 */
export function useConversations(_userId?: string, options: UseConversationsOptions = {}): UseConversationsResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const load = useCallback((signal: AbortSignal) => listConversations(api, signal), [api]);
  const { data, loading, error, refresh, setData, setError } = useFetched<readonly ConversationRecord[]>(load);
  const conversations = data ?? EMPTY;
  const setConversations = useCallback(
    (update: (list: readonly ConversationRecord[]) => readonly ConversationRecord[]) => setData((list) => update(list ?? EMPTY)),
    [setData],
  );

  const createConversation = useCallback(
    async (body: CreateConversationBody = {}) => {
      try {
        const created = await postConversation(api, body);
        setConversations((list) => [created, ...list.filter((c) => c.id !== created.id)]);
        setError(null);
        return created;
      } catch (caught) {
        const chatError = toChatError(caught);
        setError(chatError);
        throw chatError;
      }
    },
    [api, setConversations, setError],
  );

  const renameConversation = useCallback(
    async (id: string, title: string) => {
      let previous: string | undefined;
      setConversations((list) =>
        list.map((c) => {
          if (c.id !== id) return c;
          previous = c.title;
          return { ...c, title };
        }),
      );
      try {
        await patchConversation(api, id, { title });
        setError(null);
        return true;
      } catch (caught) {
        setConversations((list) => list.map((c) => (c.id === id && c.title === title && previous !== undefined ? { ...c, title: previous } : c)));
        setError(toChatError(caught));
        return false;
      }
    },
    [api, setConversations, setError],
  );

  const deleteConversation = useCallback(
    async (id: string) => {
      let removed: { record: ConversationRecord; index: number } | undefined;
      setConversations((list) => {
        const index = list.findIndex((c) => c.id === id);
        const record = list[index];
        if (record) removed = { record, index };
        return list.filter((c) => c.id !== id);
      });
      try {
        await removeConversation(api, id);
        setError(null);
        return true;
      } catch (caught) {
        const back = removed;
        if (back) {
          setConversations((list) =>
            list.some((c) => c.id === id) ? list : [...list.slice(0, back.index), back.record, ...list.slice(back.index)],
          );
        }
        setError(toChatError(caught));
        return false;
      }
    },
    [api, setConversations, setError],
  );

  return { conversations, loading, error, refresh, createConversation, renameConversation, deleteConversation };
}
