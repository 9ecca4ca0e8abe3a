import type { ReactNode } from 'react';
import type { ChatMessageState, ChatMessageView, ReplyFailure, ReplyRetrying, ToolActivity } from '../client/chat-message-view';
import type { ChatFinishReason } from '../protocol/chat-events';
import type { MessagePart } from '../protocol/parts';
import type { MessageRole } from '../protocol/records';
import type { BranchPickerProps } from './BranchPicker';

/** ChatMessage's props: the seed's loose fields, or a message as the chat holds it. */
export interface MessageFields {
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
export function withMessage(props: ChatMessageProps): MessageFields {
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
