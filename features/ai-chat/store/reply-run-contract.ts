import type { NewMessage } from './chat-store';
import type { UsageSettlement } from './usage-contract';

/** The durable-reply half of the store's contract: runs, checkpoints, attach and stop across instances. */

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
  /**
   * A Continue's run: the id of the reply it carries on. `message` is then that reply as carried
   * on so far (its words and the continuation's), written over it, never beside it.
   */
  continues?: string;
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

/** A tool call waiting for its user's approval (see server/approvals). */
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
