import type { ChatError } from '../protocol/errors';
import { type ChatMessageView, isLocalId, siblingTarget, viewFromRecord } from './chat-message-view';
import type { ChatSessionState } from './session-types';
import type { ChatTransport } from './chat-transport';
import { type FailedSend, forgetUnsavedTurn, showFailedReply, showSavedTurn, type Turn, type TurnEnding } from './chat-turn';
import type { MessageStore } from './message-store';
import type { ConversationDetail } from '../protocol/rest';
import { isAbortError, toChatError } from './http-error';

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

/** A provider and model, as a conversation or a reply names them. */
export interface ModelRef {
  provider: string;
  model: string;
}

/** The rows of a conversation's active branch, as the UI shows them. */
export function viewsFromDetail(detail: ConversationDetail): ChatMessageView[] {
  return detail.messages.map((record) => viewFromRecord(record, detail.siblings[record.id] ?? []));
}

/**
 * The model the conversation is held on: the one that wrote its last reply on the branch shown
 * (the reader may have switched models mid-chat), else the one it was created with.
 */
export function modelOfConversation(detail: ConversationDetail): ModelRef {
  for (let i = detail.messages.length - 1; i >= 0; i -= 1) {
    const { role, provider, model } = detail.messages[i]!;
    if (role === 'assistant' && provider && model) return { provider, model };
  }
  return { provider: detail.conversation.provider, model: detail.conversation.model };
}

/** Short waits between reads while a stopped reply is being saved: 3.1 s in all. */
export const SAVE_POLL_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600];

export type SavedTurn =
  | { kind: 'saved'; detail: ConversationDetail }
  | { kind: 'absent'; detail: ConversationDetail }
  | { kind: 'unreadable'; notFound: boolean };

/**
 * Reads the conversation until the message `messageId` is in it, waiting `delaysMs` between
 * reads: the server saves a stopped reply only once the stop reaches it. `absent` when it never
 * appeared (nothing was worth saving), `unreadable` when the conversation could not be read.
 */
export async function readSavedTurn(
  transport: ChatTransport,
  conversationId: string,
  messageId: string,
  delaysMs: readonly number[],
  signal: AbortSignal,
): Promise<SavedTurn> {
  let last: ConversationDetail | null = null;
  for (let attempt = 0; attempt <= delaysMs.length; attempt += 1) {
    if (attempt > 0) await wait(delaysMs[attempt - 1]!, signal);
    try {
      last = await transport.loadConversation(conversationId, signal);
    } catch (error) {
      if (signal.aborted || isAbortError(error)) throw error;
      const notFound = (error as { code?: unknown }).code === 'not_found';
      if (notFound || attempt === delaysMs.length) return { kind: 'unreadable', notFound };
      continue;
    }
    if (last.messages.some((message) => message.id === messageId)) return { kind: 'saved', detail: last };
  }
  return last ? { kind: 'absent', detail: last } : { kind: 'unreadable', notFound: false };
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Shows the previous/next version of a message (or the given sibling id): the server switches, then the chat is loaded again. */
export async function showSibling(chat: SettlingChat, messageId: string, target: string, load: (conversationId: string) => Promise<void>): Promise<void> {
  const conversationId = chat.getState().conversationId;
  const message = chat.messages.findById(messageId);
  if (!conversationId || !message) return;
  const targetId = siblingTarget(message, target);
  if (!targetId) return;
  try {
    await chat.transport().switchBranch(conversationId, targetId);
  } catch (error) {
    chat.setState({ error: toChatError(error) });
    return;
  }
  await load(conversationId);
}
