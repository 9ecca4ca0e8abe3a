import type { AttachmentMediaType, MessagePart } from '../protocol/parts';
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
  /** Releases connections (the embedded database); safe to call twice. */
  close(): Promise<void>;
}

/** A reply run as it starts: the run id is the assistant message's id. */
export interface NewReplyRun {
  id: string;
  userId: string;
  conversationId: string;
  parentId: string | null;
  provider: string;
  model: string;
  reservationId: string | null;
  /**
   * The conversation's shown leaf when the turn began: the reply, when it is saved (even by a
   * sweeper), becomes the shown leaf only if the person is still there or at its question.
   */
  expectedLeafId: string | null;
  /** What the run leaves if its instance dies before its first checkpoint (its prompt billed). */
  fallback: ReplyFallback | null;
}

/** What a run would leave if its instance died now: the partial row and its usage settlement. */
export interface ReplyFallback {
  message: Omit<NewMessage, 'conversationId' | 'parentId' | 'role' | 'id'>;
  settlement: Omit<UsageSettlement, 'messageId' | 'conversationId'>;
}

/** One run's share of an instance's checkpoint tick. */
export interface ReplyCheckpoint {
  id: string;
  /** Chunk number, from 0, one per checkpoint that carried events. */
  seq: number;
  /** The events since the previous checkpoint (deltas coalesced); empty for a heartbeat only. */
  events: readonly unknown[];
  fallback: ReplyFallback | null;
  /** The run ended with this checkpoint (its last events are in it). */
  ended: boolean;
}

export type ReplyRunState = 'generating' | 'finished' | 'interrupted';

/** A run of the user's as another instance sees it, with the event chunks after a seq. */
export interface ReplyRunSnapshot {
  id: string;
  conversationId: string;
  parentId: string | null;
  provider: string;
  model: string;
  state: ReplyRunState;
  startedAt: string;
  /** Seconds since its last checkpoint. */
  staleSeconds: number;
  settlement: ReplyFallback['settlement'] | null;
  chunks: { seq: number; events: unknown[] }[];
}

export interface GeneratingReply {
  id: string;
  parentId: string | null;
  provider: string;
  model: string;
  startedAt: string;
}

/**
 * Reply runs across instances, written with the server's role only. Methods taking a user id
 * act only on that user's runs; the others are the instances' own housekeeping.
 */
export interface ReplyRunStore {
  /** Registers a run of the user's conversation; false when the conversation is not theirs. */
  start(run: NewReplyRun): Promise<boolean>;
  /**
   * One instance tick, one statement: writes the checkpoints and returns which of `live` (this
   * instance's running runs) were asked to stop.
   */
  tick(checkpoints: readonly ReplyCheckpoint[], live: readonly string[]): Promise<string[]>;
  /** Records a stop request; the run's state (null: no such run of this user's). */
  requestStop(userId: string, id: string): Promise<ReplyRunState | null>;
  /** The run and its chunks after `afterSeq`; null when no such run of this user's is kept. */
  read(userId: string, id: string, afterSeq: number): Promise<ReplyRunSnapshot | null>;
  /** The user's runs of a conversation still generating. */
  generating(userId: string, conversationId: string): Promise<GeneratingReply[]>;
  /** Marks interrupted the runs whose checkpoints stopped (or only `id`); returns their ids. */
  sweep(staleSeconds: number, id?: string): Promise<string[]>;
  /** Records a tool call of the user's reply that waits for their approval; false when the conversation is not theirs. */
  requestApproval(approval: NewToolApproval): Promise<boolean>;
  /**
   * The user's answer to a pending approval of their reply: the state it leaves (`approved`/`denied`
   * when this answer counted; the earlier state when it was not pending); null: no such approval of theirs.
   */
  answerApproval(userId: string, replyId: string, id: string, approved: boolean): Promise<ToolApprovalState | null>;
  /** An approval's state, for the server waiting on it. */
  approvalState(id: string): Promise<ToolApprovalState | null>;
  /** Closes an unanswered approval (timed out, reply stopped); its final state (an answer that landed first wins). */
  expireApproval(id: string): Promise<ToolApprovalState | null>;
}

export type ToolApprovalState = 'pending' | 'approved' | 'denied' | 'expired';

/** A tool call waiting for its user's approval (see server/turn/tool-approval). */
export interface NewToolApproval {
  id: string;
  userId: string;
  replyId: string;
  conversationId: string;
  toolCallId: string;
  toolName: string;
  args: unknown;
  timeoutSeconds: number;
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
  title?: string;
  systemPrompt?: string | null;
  provider?: string;
  model?: string;
  summary?: string | null;
  summaryThroughMessageId?: string | null;
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

/** One message of an import: like a new message, but its parent is an earlier one of the import. */
export interface ImportedMessage extends Omit<NewMessage, 'id' | 'conversationId' | 'parentId'> {
  /** Index in `messages` of the parent, smaller than this message's own; null for a root. */
  parentIndex: number | null;
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
  /** Only conversations whose last message is strictly before this ISO time (paging, newest first). */
  before?: string;
}

export interface UsageReservationRequest {
  provider: string;
  model: string;
  conversationId?: string | null;
  estimatedTokens: number;
  /** Decimal string. */
  estimatedCost: string;
  maxTokensPerDay?: number | null;
  /** Decimal string or number of dollars. */
  maxCostPerMonth?: string | number | null;
  maxRequestsPerMinute?: number | null;
}

export type UsageLimitReason = 'tokens_per_day' | 'cost_per_month' | 'requests_per_minute';

export type UsageReservation =
  | { allowed: true; reservationId: string; tokensToday: number; costThisMonth: string }
  | {
      allowed: false;
      reason: UsageLimitReason;
      retryAfterSeconds: number;
      tokensToday: number;
      costThisMonth: string;
    };

/** A new hold for a running turn: what it has spent so far plus its next call's estimate. */
export interface UsageHoldRequest {
  tokens: number;
  /** Decimal string. */
  cost: string;
  maxTokensPerDay?: number | null;
  maxCostPerMonth?: string | number | null;
}

export type UsageHold =
  | { allowed: true; tokensToday: number; costThisMonth: string }
  | { allowed: false; reason: Exclude<UsageLimitReason, 'requests_per_minute'>; retryAfterSeconds: number; tokensToday: number; costThisMonth: string };

export interface UsageSettlement {
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens?: number;
  /** The part of promptTokens written to the provider's prompt cache (billed above input). */
  cacheWriteTokens?: number;
  /** Decimal string; null when the model's price is unknown. */
  cost: string | null;
  messageId?: string | null;
  conversationId?: string | null;
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

/** A file a user uploaded, as the database knows it (the bytes live in storage). */
export interface AttachmentRecord {
  id: string;
  mediaType: AttachmentMediaType;
  name: string;
  /** Bytes. */
  size: number;
  /** Pixels, for images (read from the file's header at upload). */
  width: number | null;
  height: number | null;
  /** Pages, for PDFs. */
  pages: number | null;
  /** Null until the file is sent with a message. */
  conversationId: string | null;
  messageId: string | null;
  createdAt: string;
}

export interface NewAttachment {
  mediaType: AttachmentMediaType;
  name: string;
  /** Already checked: its type by its bytes, its size against the limits. */
  data: Uint8Array;
  width?: number | null;
  height?: number | null;
  pages?: number | null;
}

/**
 * A user's files: private to them in storage and in the database, under RLS on both (Supabase
 * Storage policies on storage.objects; embedded, a folder read only after an RLS-checked row).
 */
/**
 * What an upload must fit, decided by the database in the transaction that records it (so
 * parallel uploads are counted one after another). Null or absent: no limit.
 */
export interface UploadAllowance {
  /** Bytes all of the user's files (sent or not) may take, this one included. */
  maxStorageBytes?: number | null;
  /** The user's requests a minute, chat turns and uploads together. */
  maxRequestsPerMinute?: number | null;
}

export interface UserAttachmentStore {
  /**
   * Server only: stores the bytes under the user's own folder and writes the row, if the upload
   * fits `allowance`: otherwise ChatError 'payload_too_large' (the storage quota, 413) or
   * 'usage_limit' (requests per minute, 429), and nothing is kept.
   */
  create(input: NewAttachment, allowance?: UploadAllowance): Promise<AttachmentRecord>;
  /**
   * Deletes this user's files never sent with a message and older than `maxAgeSeconds` (by the
   * database's clock), bytes and all, as the user; returns how many went.
   */
  expireUnsent(maxAgeSeconds: number): Promise<number>;
  /** Null when it does not exist or is not this user's. */
  get(id: string): Promise<AttachmentRecord | null>;
  /** The bytes; null when not this user's. */
  read(id: string): Promise<Uint8Array | null>;
  /** A short-lived URL the browser may load it from directly (Supabase Storage); null: serve it through the route. */
  signedUrl(id: string, ttlSeconds: number): Promise<string | null>;
  /** Deletes a file not yet sent with a message; false when there was none such of this user's. */
  remove(id: string): Promise<boolean>;
  /**
   * Server only: binds files to the user message that carries them. Each must be this user's and
   * either unsent or already in this conversation (an edit re-sends them); otherwise ChatError
   * 'bad_request' naming the file, and nothing is bound.
   */
  attach(ids: readonly string[], target: { conversationId: string; messageId: string }): Promise<AttachmentRecord[]>;
}

/** Everything one signed-in user may do. Each call is its own transaction. */
export interface UserChatStore {
  readonly userId: string;
  /** The user's uploaded files. Deleting a conversation deletes its files. */
  readonly attachments: UserAttachmentStore;

  listConversations(options?: ListConversationsOptions): Promise<ConversationRecord[]>;
  createConversation(input: NewConversation): Promise<ConversationRecord>;
  /** Null when it does not exist or is not this user's: the two are indistinguishable. */
  getConversation(id: string): Promise<ConversationRecord | null>;
  /**
   * The conversation and a branch of it (see getActiveBranch) read together, in one round trip
   * where the backend allows: what a chat turn needs before it can call the provider.
   */
  getConversationWithBranch(
    id: string,
    leafId?: string | null,
  ): Promise<{ conversation: ConversationRecord; branch: MessageRecord[] } | null>;
  /**
   * Changes a conversation of this user's. The title is the user's own write; every other field
   * (system prompt, summary, provider, model) is the server's, written with the server's role.
   */
  updateConversation(id: string, patch: ConversationPatch): Promise<ConversationRecord | null>;
  /** Writes a whole imported conversation in one database call and returns its id. */
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
