'use client';

import { useCallback, useSyncExternalStore } from 'react';
import type { ChatMessageView } from '../client/chat-message-view';
import type { MessageStore } from '../client/message-store';

/** One message, re-rendering only when that message changes. */
export function useChatMessage(store: MessageStore, key: string): ChatMessageView | undefined {
  const subscribe = useCallback((listener: () => void) => store.subscribeMessage(key, listener), [store, key]);
  const read = useCallback(() => store.getMessage(key), [store, key]);
  return useSyncExternalStore(subscribe, read, read);
}

/** The keys of the messages shown, re-rendering only when messages are added, removed or replaced. */
export function useMessageKeys(store: MessageStore): readonly string[] {
  return useSyncExternalStore(store.subscribeKeys, store.getKeys, store.getKeys);
}
