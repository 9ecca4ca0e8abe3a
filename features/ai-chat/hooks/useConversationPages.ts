'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { listConversations, patchConversation } from '../client/server-api';
import { toChatError } from '../client/http-error';
import type { ChatError } from '../protocol/errors';
import type { ConversationRecord } from '../protocol/records';

const EMPTY: readonly ConversationRecord[] = [];

/** Chats a page holds: what a sidebar shows at once, with room to scroll. */
export const CONVERSATION_PAGE_SIZE = 50;
/** The server's largest page: a refresh re-reads at most this many of the pages already loaded. */
const MOST_PER_REQUEST = 200;

export interface ConversationPages {
  /** The pages loaded, in the server's order: the pinned first (chats view), then newest first. */
  conversations: readonly ConversationRecord[];
  loading: boolean;
  error: ChatError | null;
  /** Whether the server may have more past the last one loaded. */
  hasMore: boolean;
  loadingMore: boolean;
  /** Loads the next page (as the list scrolls); a second call while one loads waits for it. */
  loadMore: () => Promise<void>;
  /** Reads again as many as are shown (at least a page): a new chat, a new title, the server's order. */
  refresh: () => Promise<void>;
  setConversations: (update: (list: readonly ConversationRecord[]) => readonly ConversationRecord[]) => void;
  setError: (error: ChatError | null) => void;
}

/**
 * The signed-in user's chats in pages (GET …/conversations?before=&limit=&archived=): the chats
 * on show, or the Archived view. A newer read supersedes an older one; leaving aborts it.
 */
export function useConversationPages(api: string, options: { archived?: boolean; pageSize?: number } = {}): ConversationPages {
  const archived = options.archived ?? false;
  const pageSize = options.pageSize ?? CONVERSATION_PAGE_SIZE;
  const view = archived ? 'archived' : 'chats';
  const [state, setState] = useState({
    /** The view these chats are of: until the other view's first read lands, it shows as loading. */
    view,
    conversations: [] as readonly ConversationRecord[],
    loaded: false,
    hasMore: false,
    error: null as ChatError | null,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const latest = useRef<AbortController | null>(null);
  const more = useRef<Promise<void> | null>(null);
  const current = state.view === view;
  const conversations = current ? state.conversations : EMPTY;

  const read = useCallback(
    async (limit: number) => {
      latest.current?.abort();
      const controller = new AbortController();
      latest.current = controller;
      try {
        const page = await listConversations(api, controller.signal, { archived, limit });
        if (!controller.signal.aborted) setState({ view, conversations: page, loaded: true, hasMore: page.length >= limit, error: null });
      } catch (error) {
        if (!controller.signal.aborted) setState((was) => ({ ...was, view, loaded: true, error: toChatError(error) }));
      }
    },
    [api, archived, view],
  );

  useEffect(() => {
    void read(pageSize);
    return () => latest.current?.abort();
  }, [read, pageSize]);

  const shownCount = conversations.length;
  const refresh = useCallback(() => read(Math.min(MOST_PER_REQUEST, Math.max(pageSize, shownCount))), [read, pageSize, shownCount]);

  const lastShown = conversations.at(-1);
  const loadMore = useCallback(() => {
    if (more.current) return more.current;
    const after = lastShown;
    if (!after?.lastMessageAt) return Promise.resolve();
    setLoadingMore(true);
    more.current = listConversations(api, undefined, { archived, limit: pageSize, after })
      .then(
        (page) =>
          setState((was) => {
            if (was.view !== view) return was;
            const known = new Set(was.conversations.map((conversation) => conversation.id));
            return {
              ...was,
              conversations: [...was.conversations, ...page.filter((conversation) => !known.has(conversation.id))],
              hasMore: page.length >= pageSize,
            };
          }),
        (error: unknown) => setState((was) => ({ ...was, error: toChatError(error) })),
      )
      .finally(() => {
        more.current = null;
        setLoadingMore(false);
      });
    return more.current;
  }, [api, archived, pageSize, view, lastShown]);

  const setConversations = useCallback(
    (update: (list: readonly ConversationRecord[]) => readonly ConversationRecord[]) =>
      setState((was) => ({ ...was, conversations: update(was.conversations) })),
    [],
  );
  const setError = useCallback((error: ChatError | null) => setState((was) => ({ ...was, error })), []);

  return {
    conversations,
    loading: !current || !state.loaded,
    error: current ? state.error : null,
    hasMore: current && state.hasMore,
    loadingMore,
    loadMore,
    refresh,
    setConversations,
    setError,
  };
}

/**
 * Pin or unpin, archive or restore: shown at once, sent (PATCH), taken back if the server
 * refuses; resolves to whether it was saved. A pin then reads the list again, for the server's order.
 */
export function useConversationFlags(api: string, pages: Pick<ConversationPages, 'setConversations' | 'setError' | 'refresh'>) {
  const { setConversations, setError, refresh } = pages;

  const pinConversation = useCallback(
    async (id: string, pinned: boolean) => {
      let before: ConversationRecord | undefined;
      const pinnedAt = pinned ? new Date().toISOString() : null;
      setConversations((list) =>
        list.map((c) => {
          if (c.id !== id) return c;
          before = c;
          return { ...c, pinnedAt };
        }),
      );
      try {
        await patchConversation(api, id, { pinned });
        setError(null);
        void refresh();
        return true;
      } catch (caught) {
        const back = before;
        if (back) setConversations((list) => list.map((c) => (c.id === id ? back : c)));
        setError(toChatError(caught));
        return false;
      }
    },
    [api, refresh, setConversations, setError],
  );

  const archiveConversation = useCallback(
    async (id: string, archived: boolean) => {
      // Either way it leaves the view it is in: archived from the chats, restored from the archive.
      let removed: { record: ConversationRecord; index: number } | undefined;
      setConversations((list) => {
        const index = list.findIndex((c) => c.id === id);
        if (index >= 0) removed = { record: list[index]!, index };
        return list.filter((c) => c.id !== id);
      });
      try {
        await patchConversation(api, id, { archived });
        setError(null);
        return true;
      } catch (caught) {
        const back = removed;
        if (back) setConversations((list) => (list.some((c) => c.id === id) ? list : [...list.slice(0, back.index), back.record, ...list.slice(back.index)]));
        setError(toChatError(caught));
        return false;
      }
    },
    [api, setConversations, setError],
  );

  return { pinConversation, archiveConversation };
}
