'use client';

import { memo } from 'react';
import type { ChatSession } from '../client/chat-session';
import { useChatMessage } from '../hooks/useChatMessage';
import { ChatMessage } from './ChatMessage';
import { PlainTextBoundary } from './PlainTextBoundary';
import { rowRenderProbe } from './row-render-probe';
import { isLocalId } from '../client/chat-message-view';

export interface MessageRowProps {
  session: ChatSession;
  messageKey: string;
}

/**
 * One row of the list, subscribed to its own message only: a token streamed into another row,
 * or a status change of the chat, does not re-render it.
 */
export const MessageRow = memo(function MessageRow({ session, messageKey }: MessageRowProps) {
  const message = useChatMessage(session.messages, messageKey);
  rowRenderProbe.current?.(messageKey);
  if (!message) return null;
  const { id, siblingIds } = message;
  const index = siblingIds.indexOf(id);

  return (
    // content-visibility lets the browser skip layout and paint of rows far off screen.
    <div className="py-3 [contain-intrinsic-size:auto_96px] [content-visibility:auto]">
      {/* A message that cannot render (malformed parts from an import…) shows its text plainly, alone. */}
      <PlainTextBoundary text={message.content} note="This message could not be displayed in full; its text:">
        <ChatMessage
          message={message}
          api={session.apiBase}
          branch={
            siblingIds.length > 1 && index >= 0
              ? {
                  index,
                  total: siblingIds.length,
                  onPrevious: () => void session.switchBranch(id, 'previous'),
                  onNext: () => void session.switchBranch(id, 'next'),
                }
              : undefined
          }
          onEdit={message.role === 'user' && !isLocalId(id) ? (text) => void session.editMessage(id, text) : undefined}
          onRegenerate={message.role === 'assistant' ? () => void session.regenerate(id) : undefined}
          // Retry of a failed reply is a regenerate: the same question answered again.
          onRetry={message.role === 'assistant' ? () => void session.regenerate(id) : undefined}
        />
      </PlainTextBoundary>
    </div>
  );
});
