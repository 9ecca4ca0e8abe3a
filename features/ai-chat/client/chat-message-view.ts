import type { ChatFinishReason } from '../protocol/chat-events';
import { partsOf, type MessagePart, type ToolApproval } from '../protocol/parts';
import type { MessageRecord, MessageRole } from '../protocol/records';
import type { Branching } from './chat-turn';
import type { MessageStore } from './message-store';

/** Where a message is in its life on the client: `pending` and `streaming` exist only locally. */
export type ChatMessageState = 'pending' | 'streaming' | 'complete' | 'partial' | 'error';

/** Why a reply failed, as the server said (an `error` event, or a saved record's `metadata.error`). */
export interface ReplyFailure {
  code: string;
  message: string;
  /** False when answering the question again cannot help (an auth error, a limit that lasts). */
  retryable: boolean;
}

/** The provider is backing off before the first token (the `retrying` event). */
export interface ReplyRetrying {
  attempt: number;
  retryAfterSeconds: number;
  reason: string;
  /** When the wait started (ms since epoch, client clock), for a countdown. */
  since: number;
}

export interface ToolActivity {
  id: string;
  name: string;
  args: unknown;
  /** Undefined until the tool's result arrives. */
  result?: unknown;
  /** Set when the call waits (or waited) for the person's approval; `replyId` is where to answer. */
  approval?: ToolApproval & { replyId?: string };
}

/**
 * A message as the UI shows it. Immutable: a change makes a new object, so an unchanged
 * message keeps its identity and its row does not re-render.
 */
export interface ChatMessageView {
  /** Stable for the life of the row, even when the server replaces a local id with its own. */
  key: string;
  /** The server's id, or a local one (`local-…`) until the `start` event names it. */
  id: string;
  parentId: string | null;
  role: MessageRole;
  /** The answer's text (the text parts joined): what is copied and edited. */
  content: string;
  /**
   * What the message is, in order: text, reasoning, files, tools, a refusal. A row saved before
   * parts existed reads as one text part of its content.
   */
  parts: readonly MessagePart[];
  /**
   * While the model thinks: when the thinking began (ms since epoch, client clock), for the live
   * "Thinking… 3 s". Null once it ended or when it never thought.
   */
  thinkingSince: number | null;
  /** Why the reply ended, as the server said; `length` means it was cut at the token limit. */
  finishReason: ChatFinishReason | null;
  /** The part of the prompt read from the provider's cache, when any was. */
  cachedPromptTokens: number | null;
  state: ChatMessageState;
  createdAt: string;
  provider: string | null;
  model: string | null;
  /**
   * Tokens of this reply (assistant: the billed output, reasoning included, as the `usage` event
   * says live) or of the prompt that carried it (user), when known.
   */
  tokens: number | null;
  /** Dollars as a decimal string, null when unknown or unpriced. */
  cost: string | null;
  tools: readonly ToolActivity[];
  /** All versions of this message (itself included), oldest first; empty when it has none. */
  siblingIds: readonly string[];
  /** Why this reply failed (state `error`); null otherwise or when not known. */
  error: ReplyFailure | null;
  /** Set while the provider backs off before the first token; null once text arrives. */
  retrying: ReplyRetrying | null;
  /** True while the reply's stream is broken and the client reads it again (the server goes on). */
  reconnecting: boolean;
  /**
   * Why the reply ended early when the reader did not stop it, in the server's words (its time
   * limit); null otherwise. A reader's own Stop needs none: the row says "Stopped".
   */
  notice: string | null;
}

const LOCAL_PREFIX = 'local-';
let localCounter = 0;

/** An id for a message the server has not named yet. */
export function createLocalId(): string {
  localCounter += 1;
  return `${LOCAL_PREFIX}${Date.now().toString(36)}-${localCounter}`;
}

export function isLocalId(id: string): boolean {
  return id.startsWith(LOCAL_PREFIX);
}

function toolsFromRecord(record: MessageRecord): ToolActivity[] {
  if (!Array.isArray(record.toolCalls)) return [];
  const results = Array.isArray(record.toolResults) ? (record.toolResults as unknown[]) : [];
  return record.toolCalls.flatMap((call): ToolActivity[] => {
    if (typeof call !== 'object' || call === null) return [];
    const { id, name, args } = call as { id?: unknown; name?: unknown; args?: unknown };
    if (typeof id !== 'string' || typeof name !== 'string') return [];
    const match = results.find((r) => typeof r === 'object' && r !== null && (r as { id?: unknown }).id === id) as
      | { result?: unknown }
      | undefined;
    const approval = record.parts?.flatMap((part) => (part.type === 'tool-call' && part.id === id && part.approval ? [part.approval] : []))[0];
    return [{ id, name, args, ...(match ? { result: match.result } : {}), ...(approval ? { approval } : {}) }];
  });
}

/** The view of a stored message. */
export function viewFromRecord(record: MessageRecord, siblingIds: readonly string[] = []): ChatMessageView {
  return {
    key: record.id,
    id: record.id,
    parentId: record.parentId,
    role: record.role,
    content: record.content,
    parts: partsOf(record),
    thinkingSince: null,
    finishReason: finishReasonFromMetadata(record.metadata),
    cachedPromptTokens: positiveNumber(record.metadata.cachedPromptTokens),
    state: record.status,
    createdAt: record.createdAt,
    provider: record.provider,
    model: record.model,
    tokens: record.role === 'assistant' ? (billedOutputTokens(record.metadata) ?? record.tokens) : record.tokens,
    cost: record.cost,
    tools: toolsFromRecord(record),
    siblingIds,
    error: record.status === 'error' ? failureFromMetadata(record.metadata) : null,
    retrying: null,
    reconnecting: false,
    notice: savedNotice(record),
  };
}

/**
 * Why a saved reply ended early when nobody pressed Stop: its server died (interrupted) or it
 * reached the time limit. A reply a person stopped has no notice: it just says "Stopped".
 */
function savedNotice(record: MessageRecord): string | null {
  if (record.status !== 'partial') return null;
  const error = record.metadata.error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, reason, message } = error as { code?: unknown; reason?: unknown; message?: unknown };
  if (typeof message !== 'string' || !message) return null;
  return code === 'interrupted' || reason === 'time_limit' ? message : null;
}

const FINISH_REASONS: ReadonlySet<string> = new Set(['stop', 'length', 'tool-calls', 'content-filter', 'aborted', 'error', 'other']);

function finishReasonFromMetadata(metadata: Record<string, unknown>): ChatFinishReason | null {
  const reason = metadata.finishReason;
  return typeof reason === 'string' && FINISH_REASONS.has(reason) ? (reason as ChatFinishReason) : null;
}

/**
 * A saved reply's billed output (`metadata.completionTokens`): the number its footer showed live.
 * The row's own `tokens` is the answer's size in a later prompt; rows saved before the metadata
 * fall back to it.
 */
function billedOutputTokens(metadata: Record<string, unknown>): number | null {
  const value = metadata.completionTokens;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

function positiveNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Error codes for which answering the same question again cannot succeed. */
const NOT_RETRYABLE: ReadonlySet<string> = new Set([
  'unauthorized',
  'forbidden',
  'not_found',
  'payload_too_large',
  'bad_request',
  'not_configured',
  'auth',
  'content_flagged',
  'context_length',
]);

/** Whether retrying an error with this code can help (a caller's `retryable` wins over this). */
export function isRetryableCode(code: string): boolean {
  return !NOT_RETRYABLE.has(code);
}

/** A saved failed reply's `metadata.error` ({code, message}); a generic failure when it is missing. */
function failureFromMetadata(metadata: Record<string, unknown>): ReplyFailure {
  const saved = metadata.error as { code?: unknown; message?: unknown; retryable?: unknown } | undefined;
  const code = typeof saved?.code === 'string' ? saved.code : 'unknown';
  const message = typeof saved?.message === 'string' && saved.message !== '' ? saved.message : 'This reply failed.';
  return { code, message, retryable: typeof saved?.retryable === 'boolean' ? saved.retryable : isRetryableCode(code) };
}

/** Whether two views would render the same, so the old object (and its row) can be kept. */
export function sameView(a: ChatMessageView, b: ChatMessageView): boolean {
  return (
    a.id === b.id &&
    a.parentId === b.parentId &&
    a.role === b.role &&
    a.content === b.content &&
    sameParts(a.parts, b.parts) &&
    a.thinkingSince === b.thinkingSince &&
    a.finishReason === b.finishReason &&
    a.cachedPromptTokens === b.cachedPromptTokens &&
    a.state === b.state &&
    a.tokens === b.tokens &&
    a.cost === b.cost &&
    a.model === b.model &&
    a.provider === b.provider &&
    a.createdAt === b.createdAt &&
    a.tools.length === b.tools.length &&
    a.tools.every((tool, i) => tool === b.tools[i] || JSON.stringify(tool) === JSON.stringify(b.tools[i])) &&
    a.siblingIds.length === b.siblingIds.length &&
    a.siblingIds.every((id, i) => id === b.siblingIds[i]) &&
    a.error?.code === b.error?.code &&
    a.error?.message === b.error?.message &&
    a.error?.retryable === b.error?.retryable &&
    a.retrying === b.retrying &&
    a.reconnecting === b.reconnecting &&
    a.notice === b.notice
  );
}

/** Parts compare by value; they are small JSON (tool results at worst), compared only on reloads. */
function sameParts(a: readonly MessagePart[], b: readonly MessagePart[]): boolean {
  if (a === b) return true;
  return a.length === b.length && a.every((part, i) => part === b[i] || JSON.stringify(part) === JSON.stringify(b[i]));
}

/** Which saved messages a regenerate or a branch switch points at; null where it points at nothing. */

/**
 * The regenerate of the reply `assistantMessageId` (default: the last reply shown): the text of
 * the user message before it, sent again under that message. None while that message is unsaved.
 */
export function regenerateTarget(
  store: MessageStore,
  assistantMessageId?: string,
): { text: string; branch: Branching } | null {
  const all = store.getMessages();
  const assistant = assistantMessageId
    ? store.findById(assistantMessageId)
    : [...all].reverse().find((m) => m.role === 'assistant');
  if (!assistant) return null;
  const index = all.indexOf(assistant);
  const user = all.slice(0, index).reverse().find((m) => m.role === 'user');
  if (!user || isLocalId(user.id)) return null;
  return { text: user.content, branch: { kind: 'regenerate', userMessageId: user.id, replaces: assistant.id } };
}

/** The saved sibling of `message` that `target` names: its previous or next version, or a sibling id. */
export function siblingTarget(message: ChatMessageView, target: 'previous' | 'next' | string): string | null {
  const index = message.siblingIds.indexOf(message.id);
  const targetId =
    target === 'previous' ? message.siblingIds[index - 1] : target === 'next' ? message.siblingIds[index + 1] : target;
  if (!targetId || targetId === message.id || isLocalId(targetId)) return null;
  return targetId;
}
