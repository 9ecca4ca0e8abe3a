import type { MessagePart } from '../protocol/parts';
import type {
  ConversationRecord,
  MessageRecord,
  MessageRole,
  MessageStatus,
  UsageSummary,
} from '../protocol/records';

/**
 * Persistence for the chat module. Two adapters implement it: Supabase (supabase-js with the
 * request's session) and embedded (PGlite). Both run every user operation under the same
 * row-level security policies, so a bug in a `where` clause can never leak another user's rows.
 */

export type * from './reply-run-contract';
export type * from './usage-contract';
export type * from './attachment-contract';
export type * from './search-share-feedback-contract';
import type { NewReplyRun, ReplyRunStore } from './reply-run-contract';
import type { UsageHold, UsageHoldRequest, UsageReservation, UsageReservationRequest, UsageSettlement } from './usage-contract';
import type { UserAttachmentStore } from './attachment-contract';
import type { SharedConversationReader, UserSearchShareFeedback } from './search-share-feedback-contract';
export interface ChatStore {
  /**
   * Opens the store as the user of this request's session; null when nobody is signed in.
   * Identity comes from the session (cookies), never from the request body.
   */
  forRequest(request: Request): Promise<UserChatStore | null>;
  /**
   * The store as this user, whom the handler's `authenticate` option resolved (the embedded and
   * Postgres stores). A non-UUID id maps to its UUID v5 (store/user-id.ts).
   */
  forUser?(userId: string, profile?: { email?: string | null }): Promise<UserChatStore>;
  /** Server-wide reply runs (service role): checkpoints, stop polling, the sweeper. */
  readonly replies: ReplyRunStore;
  /** Share links as anyone holding one reads them (no session). Absent: the store cannot share. */
  readonly shares?: SharedConversationReader;
  /** Releases connections (the embedded database); safe to call twice. */
  close(): Promise<void>;
}

export interface NewConversation {
  /** Pre-chosen id, so a turn can announce a new conversation before it is written. */
  id?: string;
  title?: string;
  systemPrompt?: string | null;
  provider: string;
  model: string;
}

export interface ConversationPatch {
  /** A rename: the title becomes the person's own (title source 'user'). */
  title?: string;
  /** The person's own: pin or unpin, archive or restore. */
  pinned?: boolean;
  archived?: boolean;
  systemPrompt?: string | null;
  provider?: string;
  model?: string;
  summary?: string | null;
  summaryThroughMessageId?: string | null;
  /** The MCP servers whose tools this conversation's turns leave out (the server checked the names). */
  disabledMcpServers?: readonly string[];
}

export interface NewMessage {
  /** Pre-chosen id, so the stream can announce the reply's id before the reply is saved. */
  id?: string;
  conversationId: string;
  /**
   * A reply saved late (a durable reply that ran on) becomes the shown leaf only if the shown leaf
   * is still this one or its parent: never takes the conversation back from where the person went.
   * Absent: always becomes the shown leaf.
   */
  expectedLeafId?: string | null;
  parentId: string | null;
  role: MessageRole;
  content: string;
  status?: MessageStatus;
  provider?: string | null;
  model?: string | null;
  tokens?: number | null;
  /** Decimal string. */
  cost?: string | null;
  toolCalls?: unknown;
  toolResults?: unknown;
  metadata?: Record<string, unknown>;
  /** What the message is, in order (parts.ts); `content` is the text of its text parts. */
  parts?: readonly MessagePart[] | null;
}

/** A reply carried on (Continue): its whole new text, parts, status, size, cost and metadata. */
export interface ContinuedMessage {
  id: string;
  content: string;
  parts: readonly MessagePart[];
  status: MessageStatus;
  tokens: number | null;
  /** Decimal string: the reply's cost so far plus the continuation's; null when unknown. */
  cost: string | null;
  metadata: Record<string, unknown>;
}

/** One message of an import: like a new message, but its parent is an earlier one of the import. */
export interface ImportedMessage extends Omit<NewMessage, 'id' | 'conversationId' | 'parentId'> {
  /** Index in `messages` of the parent, smaller than this message's own; null for a root. */
  parentIndex: number | null;
  /** When it was said (ISO), kept from the file; a time after the import is taken as the import's. Absent: now. */
  createdAt?: string | null;
}

/** A whole conversation to write at once (an import): the database gives it fresh ids. */
export interface ImportedConversation {
  title: string;
  systemPrompt: string | null;
  summary: string | null;
  provider: string;
  model: string;
  /** In write order: parents before children. */
  messages: ImportedMessage[];
  /** Index of the message whose branch is shown; null for none. */
  activeIndex: number | null;
}

export interface ListConversationsOptions {
  limit?: number;
  /**
   * Only conversations whose last message is strictly before this ISO time (paging, newest
   * first). A page with it holds no pinned chat: the first page (without it) has them all first.
   */
  before?: string;
  /**
   * With `before`: the id of the last chat shown. The page then starts after it in the list's
   * order (last message time, then id, both newest first), so chats of that same time that did
   * not fit the last page come next instead of being skipped.
   */
  beforeId?: string;
  /** The Archived view (only archived chats, newest first) instead of the chats on show. */
  archived?: boolean;
}

export interface BranchSummary {
  summary: string;
  throughMessageId: string;
}

export interface CachedReply {
  provider: string;
  model: string;
  content: string;
}

/** Everything one signed-in user may do. Each call is its own transaction. */
export interface UserChatStore extends UserSearchShareFeedback {
  readonly userId: string;
  /** The user's uploaded files. Deleting a conversation deletes its files. */
  readonly attachments: UserAttachmentStore;

  listConversations(options?: ListConversationsOptions): Promise<ConversationRecord[]>;
  createConversation(input: NewConversation): Promise<ConversationRecord>;
  /** Null when it does not exist or is not this user's: the two are indistinguishable. */
  getConversation(id: string): Promise<ConversationRecord | null>;
  /**
   * The conversation and a branch of it (see getActiveBranch) read together, in one round trip
   * where the backend allows: what a chat turn needs before it can call the provider. With
   * `maxTokens`, only the branch's newest part: from the leaf up to the first message whose stored
   * token count brings the sum past it (that one included).
   */
  getConversationWithBranch(
    id: string,
    leafId?: string | null,
    options?: { maxTokens?: number },
  ): Promise<{ conversation: ConversationRecord; branch: MessageRecord[] } | null>;
  /**
   * Changes a conversation of this user's. The title is the user's own write; every other field
   * (system prompt, summary, provider, model) is the server's, written with the server's role.
   */
  updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null>;
  /**
   * Server side: the title a model wrote, kept only while the title is still the one made from the
   * first message (a rename or an import wins, even one a moment before). True when written.
   */
  setModelTitle(id: string, title: string): Promise<boolean>;
  /** Writes a whole imported conversation in one database call and returns its id; its title stays ('import'). */
  importConversation(input: ImportedConversation): Promise<string>;
  /** False when there was nothing of this user's to delete. */
  deleteConversation(id: string): Promise<boolean>;

  /**
   * Appends a message and makes it the conversation's active leaf, atomically. Server only:
   * runs with the server's role for this user, whose conversation it must be.
   */
  appendMessage(input: NewMessage): Promise<MessageRecord>;
  /**
   * Optional: a new conversation and its first message in one transaction (one round trip where
   * the backend allows), as createConversation then appendMessage would leave them. A store
   * without it gets the two calls.
   */
  createConversationWithMessage?(
    conversation: NewConversation,
    message: NewMessage,
  ): Promise<{ conversation: ConversationRecord; message: MessageRecord }>;
  /**
   * Optional: a turn's first writes in one transaction (one round trip where the backend allows):
   * the new conversation if there is one, the question, and the reply's run row (as
   * ReplyRunStore.start; `runStarted` says whether it was written). A store without it gets
   * createConversationWithMessage or appendMessage, then ReplyRunStore.start.
   */
  saveQuestionWithRun?(question: {
    conversation: (NewConversation & { id: string }) | null;
    message: NewMessage;
    run: NewReplyRun;
  }): Promise<{ conversation: ConversationRecord | null; message: MessageRecord; runStarted: boolean }>;
  /**
   * Server only: rewrites this user's assistant reply as carried on (Continue), in place; null
   * when it is not this user's reply.
   */
  continueMessage(input: ContinuedMessage): Promise<MessageRecord | null>;
  /** Every message of the conversation, all branches, oldest first. */
  listMessages(conversationId: string): Promise<MessageRecord[]>;
  /**
   * The messages of a branch, root first: the active one, or the one ending at `leafId`
   * (the history a regenerate or an edit replies to). Empty when not this user's.
   */
  getActiveBranch(conversationId: string, leafId?: string | null): Promise<MessageRecord[]>;
  /**
   * For each message of that branch that has other versions (siblings: the same parent), all of
   * them, itself included, oldest first: the `< 2/3 >` picker. Computed by the database from the
   * branch's own groups, never from every message of every branch. Empty when not this user's.
   */
  getBranchSiblings(conversationId: string, leafId?: string | null): Promise<Record<string, string[]>>;
  /**
   * Shows the branch through `messageId` (its newest leaf becomes active) and returns that
   * leaf's id; null when the message is not in this user's conversation.
   */
  switchBranch(conversationId: string, messageId: string): Promise<string | null>;

  getUsageSummary(): Promise<UsageSummary>;
  /** Server side: checks the limits and holds an estimate, atomically across servers. */
  reserveUsage(request: UsageReservationRequest): Promise<UsageReservation>;
  /**
   * Server side: moves a running turn's hold, if the limits allow it (same lock as reserveUsage).
   * A reservation counts at its hold until it is settled, however long that takes.
   */
  holdUsage(reservationId: string, request: UsageHoldRequest): Promise<UsageHold>;
  /**
   * Server side: replaces a reservation with what the provider billed, once; false when it was
   * already settled. Works after the conversation was deleted.
   */
  settleUsage(reservationId: string, settlement: UsageSettlement): Promise<boolean>;
  /**
   * Optional: appendMessage and settleUsage in one transaction (a turn's last two writes, one
   * round trip where the backend allows). Both happen or neither does. A store without it gets
   * the two calls.
   */
  appendMessageAndSettle?(
    message: NewMessage,
    reservationId: string,
    settlement: UsageSettlement,
  ): Promise<{ message: MessageRecord; settled: boolean }>;
  /** Server side: records a billed call that had no reservation (summaries, tool steps). */
  recordUsage(settlement: UsageSettlement): Promise<void>;

  /**
   * The rolling summary that speaks for a branch: of those saved for this conversation, the one
   * through the latest of `branchMessageIds` (root first). Null when none is on the branch.
   */
  getBranchSummary(conversationId: string, branchMessageIds: readonly string[]): Promise<BranchSummary | null>;
  /** Server side: saves the summary of this user's conversation through one of its messages. */
  saveSummary(conversationId: string, summary: BranchSummary): Promise<void>;

  /** A cached reply of this user's under `key` (a SHA-256 hex of the request), an expired one is deleted. */
  getCachedReply(key: string): Promise<CachedReply | null>;
  /** Caches a reply for `ttlSeconds`: an expired entry under the key is replaced, a live one kept. */
  putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void>;
}
