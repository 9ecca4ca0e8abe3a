import type { ChatSessionOptions } from './session-types';
import type { ConversationDetail } from '../protocol/rest';
import type { MessageStore } from './message-store';
import { type ChatMessageView, isLocalId } from './chat-message-view';
import { draftMessage, type PlacedTurn, showRefusedTurn } from './chat-turn';
import { placeContinuation } from './continue-turn';
import { isBrokenStream, readWhileOnline, type ReconnectOutcome, reconnectReply } from './reconnect-reply';
import { ReplyReading } from './stream-reply';
import type { SettlingChat, TurnSettling } from './settle-turn';
import { type OpenReply, requestTurn } from './chat-transport';

/**
 * Where a reply being read comes from: `sent`, the answer to this chat's own POST; `attached`,
 * a reply the server was already writing (opened after a reload, or in another tab).
 */
export type ReplyOrigin = 'sent' | 'attached';

/** What reading a turn's reply needs of the chat it belongs to. */
export interface ReadingChat extends Omit<SettlingChat, 'reload' | 'onFinish'> {
  readonly settling: TurnSettling;
  options(): ChatSessionOptions;
  /** The reading under way, which Stop and leaving the chat act on; null once it ended. */
  setReading(reading: ReplyReading, active: boolean): void;
  /** An attached reply has no stream any more (it ended): show the conversation as saved. */
  replyGone(replyId: string): void;
}

/**
 * Reads a turn's reply into its rows, whichever stream it comes from (one event reader, one
 * way of showing it), then settles how it ended: finished, stopped (here or in another tab),
 * failed, refused, or let go of by the reader (then nothing: the server goes on).
 */
export async function readTurn(chat: ReadingChat, placed: PlacedTurn, open: OpenReply, origin: ReplyOrigin): Promise<void> {
  const epoch = chat.epoch();
  const { turn } = placed;
  const { messages } = chat;
  const reading = new ReplyReading(chat.transport());
  chat.setReading(reading, true);
  // A reply read again after its stream broke starts again: it was announced the first time.
  let announced = false;
  try {
    const streaming = () => reading.replyId !== null && messages.getMessage(turn.assistantKey)?.state === 'streaming';
    const read = (from: OpenReply) => readWhileOnline(reading.signal, streaming, (signal) => requestTurn(from, messages, placed, signal, {
      onStart: (event) => {
        reading.named(event.assistantMessageId);
        if (epoch !== chat.epoch()) return;
        const isNew = chat.getState().conversationId !== event.conversationId;
        chat.setState({
          status: 'streaming',
          conversationId: event.conversationId,
          conversationModel: { provider: event.provider, model: event.model },
        });
        // An attached reply was sent before, from here or elsewhere: nothing new was sent now.
        if (origin === 'attached' || announced) return;
        announced = true;
        if (isNew) chat.options().onConversationCreated?.(event.conversationId);
        const sent = messages.getMessage(turn.userKey);
        if (sent) chat.options().onMessageSent?.(sent);
      },
      onFinish: () => {
        if (epoch !== chat.epoch()) return;
        chat.setState({ status: 'idle' });
        const finished = messages.getMessage(turn.assistantKey);
        if (finished) chat.options().onFinish?.(finished);
      },
    }));
    let outcome: ReconnectOutcome = await read(open);
    // The run the server named at start: a Continue's is its own, not the id of the row it joins.
    const replyId = reading.replyId ?? messages.getMessage(turn.assistantKey)?.id;
    // The connection broke, not the reply: the server goes on writing it, so read it again.
    if (isBrokenStream(outcome) && outcome.started && replyId && epoch === chat.epoch() && !reading.signal.aborted) {
      outcome = await reconnectReply(
        { transport: chat.transport(), replyId, store: messages, assistantKey: turn.assistantKey, signal: reading.signal, base: turn.continuing },
        read,
        outcome,
        chat.options().reconnectDelaysMs,
      );
    }
    reading.end();
    if (epoch !== chat.epoch() || reading.detached || outcome.kind === 'finished') return;
    if (outcome.kind === 'ended') {
      chat.settling.afterReplyEnded(turn);
      return;
    }
    if (origin === 'attached' && !outcome.started) {
      const replyId = messages.getMessage(turn.assistantKey)?.id;
      // A Continue's row is the reply it carries on: it stays; the load that follows shows it saved.
      if (turn.branch?.kind === 'continue') messages.update(turn.assistantKey, { state: 'partial' });
      else messages.remove([turn.assistantKey]);
      chat.setState({ status: 'idle' });
      if (replyId) chat.replyGone(replyId);
      return;
    }
    if (outcome.kind === 'stopped') {
      // The server's time limit says why, in its words; a person's Stop (here or in another tab) reads "Stopped" everywhere.
      const notice = !reading.stopRequested && outcome.error?.details?.reason === 'time_limit' ? outcome.error.message : null;
      chat.settling.afterStop(outcome.started, turn, notice);
    }
    else if (outcome.started) chat.settling.afterFailedReply(turn, outcome.error);
    else {
      chat.setFailed(showRefusedTurn(messages, placed));
      chat.setState({ status: 'error', error: outcome.error });
    }
  } finally {
    reading.end();
    chat.setReading(reading, false);
  }
}

/** A reply to follow: the run, the question it answers, and the reply it is a new version of. */
/** Which reply the server is still writing a loaded chat follows, and where it goes. */
type GeneratingReply = ConversationDetail['generating'][number];

export interface ReplyToFollow {
  reply: GeneratingReply;
  question: ChatMessageView;
  /** The reply shown last when the run is a new version of it (a regenerate): the branch shown ends there until the new one is saved. */
  replaces?: ChatMessageView;
  /** The reply shown last when the run is a Continue of it: its words join that row. */
  continues?: ChatMessageView;
}

/**
 * The reply the server is still writing under the last row shown, or a new version of the last
 * reply shown; none when there is none, or it is one in `skip` (the server would not stream it).
 */
export function replyToFollow(store: MessageStore, detail: ConversationDetail, skip: ReadonlySet<string>): ReplyToFollow | null {
  const last = store.last();
  if (!last) return null;
  const under = (run: GeneratingReply, id: string | null) => run.parentId !== null && run.parentId === id;
  const answer = detail.generating.find((run) => under(run, last.id));
  if (answer && last.role !== 'assistant') return skip.has(answer.id) ? null : { reply: answer, question: last };
  if (last.role !== 'assistant') return null;
  // A run under a reply is a Continue of it: its words join that row (the server saves them there
  // when it ends), followed from the run's start like any reply.
  if (answer) return skip.has(answer.id) ? null : { reply: answer, question: last, continues: last };
  // A version already saved has ended, though the server may list it for a moment longer.
  const version = detail.generating.find((run) => !last.siblingIds.includes(run.id) && run.id !== last.id && under(run, last.parentId));
  const question = last.parentId ? store.findById(last.parentId) : undefined;
  if (!version || !question || skip.has(version.id)) return null;
  return { reply: version, question, replaces: last };
}

/**
 * Shows a reply the server is still writing under `question`, as a turn to read: its row has the
 * run's id (the assistant message id) and fills from the attach stream. A new version of the
 * reply shown last (a regenerate) takes that reply's place, with its versions for the switcher,
 * as a regenerate sent from here does.
 */
export function placeFollowedReply(store: MessageStore, { reply, question, replaces, continues }: ReplyToFollow, conversationId: string): PlacedTurn {
  if (continues) return placeContinuation(store, { kind: 'continue', replaces: continues.id }, conversationId);
  const row: ChatMessageView = {
    ...draftMessage('assistant', '', question.id),
    id: reply.id,
    state: 'pending',
    provider: reply.provider,
    model: reply.model,
  };
  const displaced = replaces ? [replaces] : [];
  if (replaces) store.remove([replaces.key]);
  store.append([row]);
  const replacedSiblings = replaces
    ? (replaces.siblingIds.length > 0 ? replaces.siblingIds : [replaces.id]).filter((id) => !isLocalId(id) && id !== reply.id)
    : [];
  return {
    // As a regenerate: the question is saved and shown already, only the reply is new.
    turn: {
      text: question.content,
      attachments: [],
      userKey: question.key,
      assistantKey: row.key,
      regenerating: true,
      conversationIdBefore: conversationId,
    },
    parentId: question.id,
    regeneratingKey: question.key,
    displaced,
    replacedSiblings,
  };
}

/**
 * After a load: a reply the server is still writing under the last row shown (or a new version
 * of the last reply shown) is read from its start, then live, as if it had been sent from here.
 * Returns the reading, or null when there is none to follow.
 */
export function followReply(
  chat: ReadingChat,
  detail: ConversationDetail,
  conversationId: string | null,
  skip: ReadonlySet<string>,
): Promise<void> | null {
  const follow = conversationId ? replyToFollow(chat.messages, detail, skip) : null;
  if (!follow || !conversationId) return null;
  const placed = placeFollowedReply(chat.messages, follow, conversationId);
  chat.setState({ status: 'submitted', error: null, failedReplyKey: null });
  return readTurn(chat, placed, (signal) => chat.transport().attachReply(follow.reply.id, signal), 'attached');
}
