'use client';

import { memo, useRef, useState } from 'react';
import type { ChatSession } from '../client/chat-session';
import { useChatMessage } from '../hooks/useChatMessage';
import { useNearViewport } from '../hooks/useNearViewport';
import { MessageRow } from './MessageRow';
import { rowRenderProbe } from './row-render-probe';

/** How far beyond the visible part of the list rows start rendering in full. */
const NEAR_MARGIN = '800px 0px';

export interface MessageGroupProps {
  session: ChatSession;
  keys: readonly string[];
  /**
   * How many of the group's last rows render in full when they mount (the end of the
   * conversation, what opening a chat shows). In a group with any, each other row waits until it
   * nears the screen; a group with none waits as a whole.
   */
  eagerRows: number;
  /** Let the browser skip the group's layout and paint while it is off screen. */
  skippable: boolean;
}

/**
 * A group of rows that renders them in full (markdown, code highlighting, actions) only once they
 * come near the visible part of the list; until then each row is its text as it was written.
 * Opening a long conversation then parses the markdown of the rows a reader sees, not of all of
 * them. A row that has rendered in full stays so: scrolling back never re-parses.
 */
export const MessageGroup = memo(function MessageGroup({ session, keys, eagerRows, skippable }: MessageGroupProps) {
  const ref = useRef<HTMLDivElement>(null);
  // A group off screen is watched as a whole: one observer for its rows, which are skipped anyway.
  const near = useNearViewport(ref, NEAR_MARGIN, { initial: eagerRows > 0 });
  const firstEager = keys.length - eagerRows;

  return (
    <div
      ref={ref}
      role="none"
      className={skippable ? '[contain-intrinsic-size:auto_2400px] [content-visibility:auto]' : undefined}
    >
      {keys.map((key, index) => (
        <DeferredRow
          key={key}
          session={session}
          messageKey={key}
          mode={eagerRows === 0 ? (near ? 'full' : 'wait') : index >= firstEager ? 'full' : 'watch'}
        />
      ))}
    </div>
  );
});

interface RowProps {
  session: ChatSession;
  messageKey: string;
}

/**
 * One row: in full, or its text until it nears the screen. `watch` observes the row itself;
 * `wait` leaves that to the group. Once in full, a row stays so.
 */
const DeferredRow = memo(function DeferredRow({ mode, ...row }: RowProps & { mode: 'full' | 'watch' | 'wait' }) {
  const ref = useRef<HTMLDivElement>(null);
  const near = useNearViewport(ref, NEAR_MARGIN, { initial: mode === 'full', enabled: mode === 'watch' });
  const full = near || mode === 'full';
  // The list is a live region (role="log"): a row that began as text is old history, and its
  // turn to full rendering must not be read out again as if it were new. New rows mount in full.
  const [history] = useState(mode !== 'full');
  return (
    <div ref={ref} {...(history ? { 'aria-live': 'off' as const } : { role: 'none' })}>
      {full ? <MessageRow {...row} /> : <PlainMessageRow {...row} />}
    </div>
  );
});

/**
 * A row before it nears the screen: the same article and text (readable, searchable with the
 * browser's find), without markdown, highlighting or actions.
 */
const PlainMessageRow = memo(function PlainMessageRow({ session, messageKey }: RowProps) {
  const message = useChatMessage(session.messages, messageKey);
  rowRenderProbe.current?.(messageKey);
  if (!message || message.role === 'system' || message.role === 'tool') return null;
  const isUser = message.role === 'user';
  return (
    <div className="py-3">
      <article aria-label={isUser ? 'You said' : 'Assistant said'} className={`flex flex-col ${isUser ? 'items-end' : 'items-start'}`}>
        <div
          className={
            isUser
              ? 'max-w-[85%] rounded-2xl bg-primary px-4 py-2 text-sm whitespace-pre-wrap text-primary-foreground'
              : 'w-full text-sm leading-relaxed break-words whitespace-pre-wrap text-foreground'
          }
        >
          {message.content}
        </div>
        <div className="min-h-7" />
      </article>
    </div>
  );
});
