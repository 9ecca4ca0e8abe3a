import type { ChatError } from '../protocol/errors';
import { isLocalId, type ChatMessageView } from './chat-message-view';
import type { ChatSessionState } from './chat-session-types';
import type { ChatTransport } from './chat-transport';
import { forgetUnsavedTurn, showSavedTurn, type FailedSend, type Turn, type TurnEnding } from './chat-turn';
import type { MessageStore } from './message-store';
import { modelOfConversation, readSavedTurn, SAVE_POLL_DELAYS_MS, type ModelRef, type SavedTurn } from './saved-turn';
import { showFailedReply } from './turn-rows';

/**
 * What a stopped or failed turn's re-read means for the chat. `shown`: the rows are now the saved
 * ones, held on the model that wrote them. `forgotten`: the server saved no reply; `unsent` when it
 * did not save the question either (Retry sends it again), `conversationGone` when the
 * conversation the turn made is not there, so the chat goes back to the one it had before.
 */
export type ReconciledTurn =
  | { kind: 'shown'; conversationModel: ModelRef }
  | { kind: 'forgotten'; unsent: FailedSend | null; conversationGone: boolean };

/** Makes the turn's rows match the saved record, and says what else in the chat must follow. */
export function reconcileTurn(store: MessageStore, turn: Turn, saved: SavedTurn, ending: TurnEnding): ReconciledTurn {
  if (saved.kind === 'saved') {
    showSavedTurn(store, saved.detail, turn.assistantKey, ending);
    return { kind: 'shown', conversationModel: modelOfConversation(saved.detail) };
  }
  const savedIds = saved.kind === 'absent' ? saved.detail.messages.map((m) => m.id) : null;
  const forgotten = forgetUnsavedTurn(store, turn, savedIds, ending);
  return {
    kind: 'forgotten',
    unsent: forgotten === 'question-unsent' ? { text: turn.text, attachments: turn.attachments, branch: turn.branch, userKey: turn.userKey } : null,
    conversationGone: saved.kind === 'unreadable' && saved.notFound,
  };
}

/** What settling a turn needs of the chat it belongs to. */
export interface SettlingChat {
  readonly messages: MessageStore;
  transport(): ChatTransport;
  /** Changes whenever the chat shown changes: a re-read begun under another epoch is dropped. */
  epoch(): number;
  getState(): ChatSessionState;
  setState(patch: Partial<ChatSessionState>): void;
  reload(conversationId: string): void;
  onFinish(message: ChatMessageView): void;
  /** What Retry sends again as a new send (the server never took it). */
  setFailed(failed: FailedSend): void;
}

/**
 * After a stop or a failure, brings a turn's rows in line with what the server saved, so what is
 * shown is what was saved and the next message goes under a saved message. One re-read at a time.
 */
export class TurnSettling {
  private pending: { promise: Promise<void>; controller: AbortController } | null = null;

  constructor(private readonly chat: SettlingChat) {}

  /** The re-read under way, if any: the next send waits for it, since it decides the parent. */
  get promise(): Promise<void> | null {
    return this.pending?.promise ?? null;
  }

  /** Drops the re-read under way (another load or chat supersedes it). */
  cancel(): void {
    this.pending?.controller.abort();
    this.pending = null;
  }

  /**
   * The turn failed after the server took it: the reply row shows the error (with Retry, a
   * regenerate), and the rows are re-read so the next message goes under what the server saved.
   */
  afterFailedReply(turn: Turn, error: ChatError): void {
    const { messages } = this.chat;
    const reply = messages.getMessage(turn.assistantKey);
    showFailedReply(messages, turn.assistantKey, error);
    this.chat.setState({ status: 'error', error, failedReplyKey: reply ? turn.assistantKey : null });
    // An `error` event comes after the server saved the turn: one read tells. A cut connection
    // may leave the server still saving: read a few times.
    const delays = error.code === 'network' ? SAVE_POLL_DELAYS_MS : [];
    this.resync(turn, delays, 'error');
  }

  /**
   * The reply ended while its stream was broken (the server keeps no stream of it any more): the
   * row becomes the reply as saved.
   */
  afterReplyEnded(turn: Turn): void {
    this.chat.messages.update(turn.assistantKey, { state: 'partial', retrying: null });
    this.chat.setState({ status: 'idle' });
    this.resync(turn, SAVE_POLL_DELAYS_MS, 'ended');
  }

  /** The reply was stopped; `notice` says why when this reader did not stop it. */
  afterStop(started: boolean, turn: Turn, notice: string | null = null): void {
    const { messages } = this.chat;
    if (started) {
      messages.update(turn.assistantKey, { state: 'partial', retrying: null, notice });
      this.chat.setState({ status: 'idle' });
      this.resync(turn, SAVE_POLL_DELAYS_MS, 'stopped');
      return;
    }
    // Stopped before the server named anything: show what it saved, if it saved anything.
    messages.remove(turn.regenerating ? [turn.assistantKey] : [turn.userKey, turn.assistantKey]);
    this.chat.setState({ status: 'idle' });
    const { conversationId } = this.chat.getState();
    if (conversationId) this.chat.reload(conversationId);
  }

  /**
   * Replaces the turn's rows with what the server saved (text, tokens, cost, a failure's
   * message). Where it saved no reply, the row stays as shown but is no parent of anything.
   */
  private resync(turn: Turn, delaysMs: readonly number[], ending: TurnEnding): void {
    const { chat } = this;
    const conversationId = chat.getState().conversationId;
    const reply = chat.messages.getMessage(turn.assistantKey);
    if (!conversationId || !reply || isLocalId(reply.id)) return;
    const epoch = chat.epoch();
    const controller = new AbortController();
    const promise = (async () => {
      try {
        const saved = await readSavedTurn(chat.transport(), conversationId, reply.id, delaysMs, controller.signal);
        if (epoch !== chat.epoch() || controller.signal.aborted) return;
        const reconciled = reconcileTurn(chat.messages, turn, saved, ending);
        if (reconciled.kind === 'shown') {
          chat.setState({ conversationModel: reconciled.conversationModel });
          // A stopped reply has finished too, now that its tokens and cost are known.
          const stopped = ending !== 'error' ? chat.messages.getMessage(turn.assistantKey) : undefined;
          if (stopped) chat.onFinish(stopped);
          return;
        }
        if (reconciled.unsent) {
          chat.setFailed(reconciled.unsent);
          if (chat.getState().failedReplyKey === turn.assistantKey) chat.setState({ failedReplyKey: null });
        }
        if (reconciled.conversationGone) chat.setState({ conversationId: turn.conversationIdBefore });
      } catch {
        // Aborted: the chat shown changed, and these rows with it.
      }
    })().finally(() => {
      if (this.pending?.controller === controller) this.pending = null;
    });
    this.pending = { promise, controller };
  }
}
