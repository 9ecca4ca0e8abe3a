'use client';

import { useContext, useState, type ReactNode } from 'react';
import type { ChatMessageState, ChatMessageView, ReplyFailure, ReplyRetrying, ToolActivity } from '../client/chat-message-view';
import { formatCost, formatTokens, formatWhen } from './format';
import type { ChatFinishReason } from '../protocol/chat-events';
import type { FilePart, MessagePart } from '../protocol/parts';
import type { MessageRole } from '../protocol/records';
import { BranchPicker, type BranchPickerProps } from './BranchPicker';
import { CopyButton } from './CopyButton';
import { EditIcon, RegenerateIcon } from './icons';
import { ShowCostContext } from './show-cost';
import { MessageAttachments } from './MessageAttachments';
import { ReasoningBlock } from './ReasoningBlock';
import { RefusalNotice } from './RefusalNotice';
import { MessageEditor } from './MessageEditor';
import { StreamingMessage } from './StreamingMessage';
import { ToolActivityList } from './ToolActivityList';

interface MessageFields {
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
  /**
   * The message's parts: reasoning (shown apart, collapsed once done), files (a user's images and
   * PDFs), a refusal. The answer's text is `content`. Default: none beyond `content`.
   */
  parts?: readonly MessagePart[];
  /** While the model thinks: since when (ms since epoch). */
  thinkingSince?: number | null;
  /** `length`: the reply was cut at the token limit, said under its text. */
  finishReason?: ChatFinishReason | null;
  /** Prompt tokens read from the provider's cache, said in the footer when any. */
  cachedPromptTokens?: number | null;
  /** Base path of the module's routes, where attachments are read. Default '/api/chat'. */
  api?: string;
  /** Shown when the message has other versions. */
  branch?: BranchPickerProps;
  /** Offers "Edit" on a user message; called with the new text. */
  onEdit?: (text: string) => void;
  /** Offers "Regenerate" on an assistant message. */
  onRegenerate?: () => void;
  /** Offers "Continue" on a reply cut by its length limit or stopped: the model goes on in the same reply. */
  onContinue?: () => void;
  /** Why this reply failed (state `error`): shown in the row as an alert. */
  error?: ReplyFailure | null;
  /** Offers "Retry" in a failed reply's alert, when retrying can help. */
  onRetry?: () => void;
  /** Show what the reply cost: operator detail, off unless the app opts in (ChatInterface `showCost`). */
  showCost?: boolean;
  /** The provider is backing off before the first token. */
  retrying?: ReplyRetrying | null;
  /** True while the stream is broken and the reply is being read again. */
  reconnecting?: boolean;
  /** Why the reply ended early when the reader did not stop it (the server's time limit). */
  notice?: string | null;
  /** More actions in a finished reply's footer (the feedback thumbs). */
  actions?: ReactNode;
  className?: string;
}

/**
 * A message as the chat shows it (`message`, what useChat's `messages` hold), or the seed's loose
 * props (`role`, `content`, `timestamp`, …). Props given beside `message` win over its fields.
 */
export type ChatMessageProps = (MessageFields & { message?: undefined }) | (Partial<MessageFields> & { message: ChatMessageView });

/** The props a shown message stands for; a prop the caller set wins over the message's own. */
function withMessage(props: ChatMessageProps): MessageFields {
  const { message, ...given } = props;
  if (!message) return given as MessageFields;
  const fromMessage: MessageFields = {
    role: message.role,
    content: message.content,
    timestamp: message.createdAt,
    state: message.state,
    tokens: message.tokens,
    cost: message.cost,
    model: message.model,
    tools: message.tools,
    parts: message.parts,
    thinkingSince: message.thinkingSince,
    finishReason: message.finishReason,
    cachedPromptTokens: message.cachedPromptTokens,
    error: message.error,
    retrying: message.retrying,
    reconnecting: message.reconnecting,
    notice: message.notice,
  };
  const overrides = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return { ...fromMessage, ...overrides };
}

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
          {/* The facts under a message, each its own item with a dot between: never run together. */}
          <ul aria-label="Message details" className="flex flex-wrap items-center gap-x-1.5 px-1 [&>li+li]:before:mr-1.5 [&>li+li]:before:content-['·']">
            {note && <li className={state === 'error' ? 'text-destructive' : ''}>{note}</li>}
            {!isUser && model && !writing && <li>{model}</li>}
            {!isUser && tokens != null && !(state === 'error' && tokens === 0) && <li className="tabular-nums">{formatTokens(tokens)} tokens</li>}
            {!isUser && showCost && cost != null && <li className="tabular-nums">{formatCost(cost)}</li>}
            {!isUser && cachedPromptTokens != null && cachedPromptTokens > 0 && !writing && (
              <li className="tabular-nums">{cachedPromptTokens.toLocaleString('en-US')} prompt tokens from cache</li>
            )}
            {date && (
              <li>
                {/* The time is formatted in the reader's locale and zone, which the server cannot know. */}
                <time dateTime={date.toISOString()} className="tabular-nums" suppressHydrationWarning>
                  {formatWhen(date)}
                </time>
              </li>
            )}
          </ul>
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
