'use client';

import { useState } from 'react';
import type { ChatMessageState, ToolActivity } from '../client/chat-message-view';
import { formatCost, formatTime, formatTokens } from '../client/format';
import type { MessageRole } from '../protocol/records';
import { BranchPicker, type BranchPickerProps } from './BranchPicker';
import { CopyButton } from './CopyButton';
import { EditIcon, RegenerateIcon } from './icons';
import { MessageEditor } from './MessageEditor';
import { StreamingMessage } from './StreamingMessage';
import { ToolActivityList } from './ToolActivityList';

export interface ChatMessageProps {
  role: MessageRole;
  content: string;
  timestamp?: Date | string;
  /** Default 'complete'. `pending`/`streaming` show the reply as it is written. */
  state?: ChatMessageState;
  /** Tokens and dollars (decimal string) of this reply. */
  tokens?: number | null;
  cost?: string | null;
  model?: string | null;
  tools?: readonly ToolActivity[];
  /** Shown when the message has other versions. */
  branch?: BranchPickerProps;
  /** Offers "Edit" on a user message; called with the new text. */
  onEdit?: (text: string) => void;
  /** Offers "Regenerate" on an assistant message. */
  onRegenerate?: () => void;
  className?: string;
}

const ACTION =
  'inline-flex size-7 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100';

const STATE_NOTE: Partial<Record<ChatMessageState, { user?: string; assistant?: string }>> = {
  partial: { assistant: 'Stopped' },
  error: { user: 'Not sent', assistant: 'Interrupted' },
  pending: { user: 'Sending…' },
};

/** One message: markdown for replies, plain text for the user's; copy, edit, regenerate, versions. */
export function ChatMessage({
  role,
  content,
  timestamp,
  state = 'complete',
  tokens,
  cost,
  model,
  tools = [],
  branch,
  onEdit,
  onRegenerate,
  className = '',
}: ChatMessageProps) {
  const [editing, setEditing] = useState(false);
  const isUser = role === 'user';
  const writing = state === 'pending' || state === 'streaming';
  const parsed = timestamp === undefined ? undefined : new Date(timestamp);
  const date = parsed && !Number.isNaN(parsed.getTime()) ? parsed : undefined;
  const note = STATE_NOTE[state]?.[isUser ? 'user' : 'assistant'];

  if (role === 'system' || role === 'tool') return null;

  return (
    <article
      aria-label={isUser ? 'You said' : 'Assistant said'}
      className={`group flex flex-col gap-1 ${isUser ? 'items-end' : 'items-start'} ${className}`}
    >
      {editing && onEdit ? (
        <MessageEditor
          initialText={content}
          onCancel={() => setEditing(false)}
          onSave={(text) => {
            setEditing(false);
            onEdit(text);
          }}
        />
      ) : isUser ? (
        <div className="max-w-[85%] rounded-2xl bg-blue-600 px-4 py-2 text-sm whitespace-pre-wrap text-white">
          {content}
        </div>
      ) : (
        <div className="w-full max-w-none text-sm text-zinc-900 dark:text-zinc-100">
          <ToolActivityList tools={tools} />
          <StreamingMessage content={content} isComplete={!writing} />
        </div>
      )}

      {!editing && (
        <div className="flex min-h-7 items-center gap-1 text-xs text-zinc-500 dark:text-zinc-400">
          {branch && <BranchPicker {...branch} />}
          {!writing && content !== '' && <CopyButton text={content} label="Copy message" className="opacity-70 group-hover:opacity-100" />}
          {isUser && onEdit && state !== 'pending' && (
            <button type="button" className={ACTION} onClick={() => setEditing(true)} aria-label="Edit message" title="Edit">
              <EditIcon />
            </button>
          )}
          {!isUser && onRegenerate && !writing && (
            <button type="button" className={ACTION} onClick={onRegenerate} aria-label="Regenerate reply" title="Regenerate">
              <RegenerateIcon />
            </button>
          )}
          {note && <span className={state === 'error' ? 'text-red-600 dark:text-red-400' : ''}>{note}</span>}
          {!isUser && tokens != null && (
            <span title={model ?? undefined} className="tabular-nums">
              {formatTokens(tokens)} tokens{cost != null ? ` · ${formatCost(cost)}` : ''}
            </span>
          )}
          {date && (
            // The time is formatted in the reader's locale and zone, which the server cannot know.
            <time dateTime={date.toISOString()} className="tabular-nums" suppressHydrationWarning>
              {formatTime(date)}
            </time>
          )}
        </div>
      )}
    </article>
  );
}
