'use client';

import { memo, type ReactNode, useEffect } from 'react';
import { StickToBottom, useStickToBottomContext } from 'use-stick-to-bottom';
import type { ChatSession } from '../client/chat-session';
import type { MessageStore } from '../client/message-store';
import { useMessageKeys } from '../hooks/useChatMessage';
import { ArrowDownIcon } from './icons';
import { MessageGroup } from './MessageGroup';

export interface MessageListProps {
  session: ChatSession;
  /** Shown when there are no messages. */
  empty?: ReactNode;
  className?: string;
}

function JumpToLatest() {
  const { isAtBottom, scrollToBottom } = useStickToBottomContext();
  if (isAtBottom) return null;
  return (
    <button
      type="button"
      onClick={() => void scrollToBottom()}
      aria-label="Jump to latest message"
      className="absolute bottom-3 left-1/2 inline-flex -translate-x-1/2 items-center gap-1 rounded-full border border-border bg-background px-3 py-1.5 text-xs text-foreground shadow-md hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
    >
      <ArrowDownIcon /> Latest
    </button>
  );
}

/**
 * Sending (or regenerating) follows the bottom again, even when the reader had scrolled up: a
 * new pending reply at the end is the moment. Streaming then keeps following until they scroll up.
 */
function FollowOnSend({ store }: { store: MessageStore }) {
  const { scrollToBottom } = useStickToBottomContext();
  useEffect(() => {
    let lastKey = store.getKeys().at(-1);
    return store.subscribeKeys(() => {
      const key = store.getKeys().at(-1);
      if (key === lastKey) return;
      lastKey = key;
      if (key !== undefined && store.getMessage(key)?.state === 'pending') void scrollToBottom();
    });
  }, [store, scrollToBottom]);
  return null;
}

/** Rows per group; see `chunksOf`. */
const ROWS_PER_CHUNK = 25;
/** The last rows render in full as they mount: what opening a chat shows, and every new row. */
const EAGER_ROWS = 6;

/**
 * Finished rows are grouped, and each group skipped as a whole while off screen: the browser then
 * checks one box per group each frame, not one per row, so a streaming reply costs the same per
 * token in a conversation of 50 messages or 500. Boundaries only move past an edit point.
 */
function chunksOf(keys: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < keys.length; start += ROWS_PER_CHUNK) chunks.push(keys.slice(start, start + ROWS_PER_CHUNK));
  return chunks;
}

/**
 * The conversation as a live log. Re-renders only when messages are added or removed; follows
 * the bottom while a reply streams until the reader scrolls up.
 */
export const MessageList = memo(function MessageList({ session, empty, className = '' }: MessageListProps) {
  const keys = useMessageKeys(session.messages);
  const chunks = chunksOf(keys);
  const firstEager = keys.length - EAGER_ROWS;
  return (
    <StickToBottom className={`relative min-h-0 flex-1 ${className}`} resize="instant" initial="instant">
      <StickToBottom.Content className="mx-auto w-full max-w-3xl px-4">
        {keys.length === 0 && empty}
        <div role="log" aria-live="polite" aria-relevant="additions" aria-label="Messages" className="py-4">
          {chunks.map((chunk, index) => (
            <MessageGroup
              key={chunk[0]}
              session={session}
              keys={chunk}
              // The last group holds the reply being written: it is never skipped.
              skippable={index < chunks.length - 1}
              eagerRows={Math.max(0, Math.min(chunk.length, index * ROWS_PER_CHUNK + chunk.length - firstEager))}
            />
          ))}
        </div>
      </StickToBottom.Content>
      <JumpToLatest />
      <FollowOnSend store={session.messages} />
    </StickToBottom>
  );
});
