'use client';

import { memo, useRef } from 'react';
import type { ChatSession } from '../client/chat-session';
import { useChatMessage } from '../hooks/useChatMessage';
import { useNearViewport } from '../hooks/useNearViewport';
import { MessageRow } from './MessageRow';

/** How far beyond the visible part of the list a group starts rendering its rows in full. */
const NEAR_MARGIN = '800px 0px';

export interface MessageGroupProps {
  session: ChatSession;
  keys: readonly string[];
  /** Render the rows in full from the start (the group shown first: the end of the conversation). */
  eager: boolean;
  /** Let the browser skip the group's layout and paint while it is off screen. */
  skippable: boolean;
  onRowRender?: (messageKey: string) => void;
}

/**
 * A group of rows that renders them in full (markdown, code highlighting, actions) only once it
 * comes near the visible part of the list; until then each row is its text as it was written.
 * Opening a long conversation then parses the markdown of the rows a reader sees, not of all of
 * them. A group that has rendered in full stays so: scrolling back never re-parses.
 */
export const MessageGroup = memo(function MessageGroup({ session, keys, eager, skippable, onRowRender }: MessageGroupProps) {
  const ref = useRef<HTMLDivElement>(null);
  const full = useNearViewport(ref, NEAR_MARGIN, eager);

  return (
    <div
      ref={ref}
      role="none"
      className={skippable ? '[contain-intrinsic-size:auto_2400px] [content-visibility:auto]' : undefined}
    >
      {keys.map((key) =>
        full ? (
          <MessageRow key={key} session={session} messageKey={key} onRender={onRowRender} />
        ) : (
          <PlainMessageRow key={key} session={session} messageKey={key} onRender={onRowRender} />
        ),
      )}
    </div>
  );
});

/**
 * A row before its group nears the screen: the same article and text (readable, searchable with
 * the browser's find), without markdown, highlighting or actions.
 */
const PlainMessageRow = memo(function PlainMessageRow({
  session,
  messageKey,
  onRender,
}: {
  session: ChatSession;
  messageKey: string;
  onRender?: (messageKey: string) => void;
}) {
  const message = useChatMessage(session.messages, messageKey);
  onRender?.(messageKey);
  if (!message || message.role === 'system' || message.role === 'tool') return null;
  const isUser = message.role === 'user';
  return (
    <div className="py-3">
      <article aria-label={isUser ? 'You said' : 'Assistant said'} className={`flex flex-col ${isUser ? 'items-end' : 'items-start'}`}>
        <div
          className={
            isUser
              ? 'max-w-[85%] rounded-2xl bg-blue-600 px-4 py-2 text-sm whitespace-pre-wrap text-white dark:bg-blue-500'
              : 'w-full text-sm leading-relaxed break-words whitespace-pre-wrap text-zinc-900 dark:text-zinc-100'
          }
        >
          {message.content}
        </div>
        <div className="min-h-7" />
      </article>
    </div>
  );
});
