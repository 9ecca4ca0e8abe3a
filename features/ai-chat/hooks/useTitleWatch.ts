'use client';

import { useEffect, useRef } from 'react';
import type { ConversationRecord } from '../protocol/records';

/** When to look again after a new chat's first reply, in ms after it ended: a title takes a second or two. */
export const TITLE_LOOKS_MS: readonly number[] = [600, 1_500, 3_000, 6_000, 12_000];

/**
 * After a new chat's first reply, the title a model writes for it arrives a moment later: the
 * list reads again a few times (TITLE_LOOKS_MS) until that chat's title is no longer the one
 * made from its first message, then stops. Nothing runs between replies.
 */
export function useTitleWatch(
  awaiting: { conversationId: string; key: number } | null,
  conversations: readonly ConversationRecord[],
  refresh: () => Promise<void>,
): void {
  const latest = useRef({ conversations, refresh });
  useEffect(() => {
    latest.current = { conversations, refresh };
  });
  const key = awaiting?.key;
  const conversationId = awaiting?.conversationId;
  useEffect(() => {
    if (!conversationId) return;
    const titled = () => {
      const conversation = latest.current.conversations.find((each) => each.id === conversationId);
      return conversation !== undefined && conversation.titleSource !== undefined && conversation.titleSource !== 'first-message';
    };
    const timers = TITLE_LOOKS_MS.map((at) =>
      setTimeout(() => {
        if (!titled()) void latest.current.refresh();
      }, at),
    );
    return () => timers.forEach(clearTimeout);
  }, [conversationId, key]);
}
