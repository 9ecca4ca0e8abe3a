'use client';

import { memo, type ReactNode } from 'react';
import { StickToBottom, useStickToBottomContext } from 'use-stick-to-bottom';
import type { ChatSession } from '../client/chat-session';
import { useMessageKeys } from '../hooks/useChatMessage';
import { ArrowDownIcon } from './icons';
import { MessageRow } from './MessageRow';

export interface MessageListProps {
  session: ChatSession;
  /** Shown when there are no messages. */
  empty?: ReactNode;
  onRowRender?: (messageKey: string) => void;
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
      className="absolute bottom-3 left-1/2 inline-flex -translate-x-1/2 items-center gap-1 rounded-full border border-zinc-200 bg-white px-3 py-1.5 text-xs text-zinc-700 shadow-md hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800"
    >
      <ArrowDownIcon /> Latest
    </button>
  );
}

/**
 * The conversation as a live log. Re-renders only when messages are added or removed; follows
 * the bottom while a reply streams until the reader scrolls up.
 */
export const MessageList = memo(function MessageList({ session, empty, onRowRender, className = '' }: MessageListProps) {
  const keys = useMessageKeys(session.messages);
  return (
    <StickToBottom className={`relative min-h-0 flex-1 ${className}`} resize="smooth" initial="instant">
      <StickToBottom.Content className="mx-auto w-full max-w-3xl px-4">
        {keys.length === 0 && empty}
        <ol role="log" aria-live="polite" aria-relevant="additions" aria-label="Messages" className="flex flex-col py-4">
          {keys.map((key) => (
            <MessageRow key={key} session={session} messageKey={key} onRender={onRowRender} />
          ))}
        </ol>
      </StickToBottom.Content>
      <JumpToLatest />
    </StickToBottom>
  );
});
