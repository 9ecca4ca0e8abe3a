'use client';

import { useContext, useState } from 'react';
import type { ChatMessageState } from '../client/chat-message-view';
import type { FilePart, MessagePart } from '../protocol/parts';
import { BranchPicker } from './BranchPicker';
import { CopyButton } from './CopyButton';
import { EditIcon, RegenerateIcon } from './icons';
import { ShowCostContext } from './show-cost';
import { MessageAttachments } from './MessageAttachments';
import { MessageDetails } from './MessageDetails';
import { type ChatMessageProps, type MessageFields, withMessage } from './chat-message-props';
import { ReasoningBlock } from './ReasoningBlock';
import { RefusalNotice } from './RefusalNotice';
import { MessageEditor } from './MessageEditor';
import { StreamingMessage } from './StreamingMessage';
import { ToolActivityList } from './ToolActivityList';

export type { ChatMessageProps } from './chat-message-props';

const NO_PARTS: readonly MessagePart[] = [];

/** A user message longer than this (characters or lines) is shown collapsed, with "Show more". */
const COLLAPSE_CHARS = 1200;
const COLLAPSE_LINES = 16;

function isLong(text: string): boolean {
  if (text.length > COLLAPSE_CHARS) return true;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && lines <= COLLAPSE_LINES; i = text.indexOf('\n', i + 1)) lines += 1;
  return lines > COLLAPSE_LINES;
}

const ACTION =
  'inline-flex size-7 shrink-0 items-center justify-center rounded-md text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring';

const STATE_NOTE: Partial<Record<ChatMessageState, { user?: string; assistant?: string }>> = {
  partial: { assistant: 'Stopped' },
  error: { user: 'Not sent', assistant: 'Failed' },
  pending: { user: 'Sending…' },
};

/** One message: markdown for replies, plain text for the user's; copy, edit, regenerate, versions. */
export function ChatMessage(props: ChatMessageProps) {
  return <MessageBody {...withMessage(props)} />;
}

function MessageBody({
  role,
  content,
  timestamp,
  state = 'complete',
  tokens,
  cost,
  model,
  tools = [],
  parts = NO_PARTS,
  thinkingSince = null,
  finishReason = null,
  cachedPromptTokens = null,
  api,
  branch,
  onEdit,
  onRegenerate,
  onContinue,
  error = null,
  onRetry,
  showCost: showCostProp,
  retrying = null,
  reconnecting = false,
  notice = null,
  actions,
  className = '',
}: MessageFields) {
  const showCost = useContext(ShowCostContext) || showCostProp === true;
  const [editing, setEditing] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const isUser = role === 'user';
  const writing = state === 'pending' || state === 'streaming';
  const parsed = timestamp === undefined ? undefined : new Date(timestamp);
  const date = parsed && !Number.isNaN(parsed.getTime()) ? parsed : undefined;
  // A reply the server stopped (its time limit) says why in its own notice, not as a Stop.
  const note = notice && !writing ? undefined : STATE_NOTE[state]?.[isUser ? 'user' : 'assistant'];

  if (role === 'system' || role === 'tool') return null;

  const files = parts.filter((part): part is FilePart => part.type === 'file');
  const reasoning = parts.flatMap((part, index) => (part.type === 'reasoning' ? [{ part, index }] : []));
  const lastReasoningIndex = reasoning[reasoning.length - 1]?.index ?? -1;
  const refusal = parts.flatMap((part) => (part.type === 'refusal' ? [part.text] : [])).join('');
  const refused = parts.some((part) => part.type === 'refusal');
  const thinking = thinkingSince !== null;
  // The typing dots stand for "nothing yet": not while the thinking shows, nor under a refusal.
  const showAnswer = content !== '' || (!thinking && !refused && state !== 'error');

  return (
    <article
      aria-label={isUser ? 'You said' : 'Assistant said'}
      className={`group flex flex-col gap-1 ${isUser ? 'items-end' : 'items-start'} ${className}`}
    >
      {editing && onEdit ? (
        <MessageEditor
          initialText={content}
          files={files}
          api={api}
          onCancel={() => setEditing(false)}
          onSave={(text) => {
            setEditing(false);
            onEdit(text);
          }}
        />
      ) : isUser ? (
        <>
          <MessageAttachments files={files} api={api} />
          {content !== '' && <UserText content={content} expanded={expanded} onToggle={() => setExpanded((open) => !open)} />}
        </>
      ) : (
        <div className="w-full max-w-none text-sm text-foreground">
          {reasoning.map(({ part, index }) => (
            <ReasoningBlock
              key={index}
              text={part.text}
              thinkingSince={index === lastReasoningIndex ? thinkingSince : null}
              durationMs={part.durationMs}
            />
          ))}
          <ToolActivityList tools={tools} api={api} />
          {showAnswer && (
            <StreamingMessage content={content} isComplete={!writing} retrying={retrying} />
          )}
          {reconnecting && (
            <p role="status" className="mt-2 text-sm text-muted-foreground">
              Connection lost; reconnecting…
            </p>
          )}
          {refused && <RefusalNotice text={refusal} />}
          {notice && !writing && <p className="mt-2 text-sm text-muted-foreground italic">{notice}</p>}
          {finishReason === 'length' && !writing && (
            <p className="mt-2 text-sm text-muted-foreground italic">
              The reply stopped here: it reached the length limit.
            </p>
          )}
          {state === 'error' && error && (
            <div
              role="alert"
              className="mt-2 flex items-center gap-3 rounded-lg border border-destructive/50 bg-card px-3 py-2 text-destructive"
            >
              <p className="flex-1">{error.message}</p>
              {onRetry && error.retryable && (
                <button
                  type="button"
                  onClick={onRetry}
                  className="rounded-md border border-destructive/50 bg-background px-3 py-1 text-destructive hover:bg-destructive/10 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
                >
                  Retry
                </button>
              )}
            </div>
          )}
        </div>
      )}

      {!editing && (
        <div className="flex min-h-7 flex-wrap items-center gap-1 text-xs text-muted-foreground">
          {branch && <BranchPicker {...branch} />}
          {!writing && content !== '' && <CopyButton text={content} label="Copy message" className="shrink-0 opacity-70 group-hover:opacity-100" />}
          {isUser && onEdit && state !== 'pending' && (
            <button type="button" className={ACTION} onClick={() => setEditing(true)} aria-label="Edit message" title="Edit">
              <EditIcon />
            </button>
          )}
          {/* A failed reply offers one way to try again: its alert's Retry, when it has one. */}
          {!isUser && onRegenerate && !writing && !(state === 'error' && error?.retryable && onRetry) && (
            <button type="button" className={ACTION} onClick={onRegenerate} aria-label="Regenerate reply" title="Regenerate">
              <RegenerateIcon />
            </button>
          )}
          {!isUser && !writing && actions}
          {!isUser && onContinue && !writing && content !== '' && (state === 'partial' || finishReason === 'length') && (
            <button
              type="button"
              onClick={onContinue}
              className="rounded-md border border-border px-2 py-0.5 text-xs text-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
            >
              Continue
            </button>
          )}
          <MessageDetails
            note={note}
            noteIsError={state === 'error'}
            model={!isUser && !writing ? model : null}
            tokens={!isUser && tokens != null && !(state === 'error' && tokens === 0) ? tokens : null}
            cost={!isUser && showCost ? cost : null}
            cachedPromptTokens={!isUser && !writing ? cachedPromptTokens : null}
            date={date}
          />
        </div>
      )}
    </article>
  );
}

/** The user's text, collapsed to a few lines when long, with "Show more" / "Show less". */
function UserText({ content, expanded, onToggle }: { content: string; expanded: boolean; onToggle: () => void }) {
  const long = isLong(content);
  return (
    <div className="flex max-w-[85%] flex-col items-end gap-1">
      <div
        className={`rounded-2xl bg-primary px-4 py-2 text-sm whitespace-pre-wrap text-primary-foreground ${
          long && !expanded ? 'max-h-72 overflow-hidden [mask-image:linear-gradient(to_bottom,black_75%,transparent)]' : ''
        }`}
      >
        {content}
      </div>
      {long && (
        <button
          type="button"
          aria-expanded={expanded}
          onClick={onToggle}
          className="rounded-md px-2 py-0.5 text-xs text-primary hover:underline focus-visible:outline-2 focus-visible:outline-ring"
        >
          {expanded ? 'Show less' : 'Show more'}
        </button>
      )}
    </div>
  );
}
