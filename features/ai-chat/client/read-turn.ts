import type { ChatSessionOptions } from './chat-session-types';
import { isBrokenStream, readWhileOnline, reconnectReply, type ReconnectOutcome } from './reconnect-reply';
import { ReplyReading } from './reply-reading';
import type { SettlingChat, TurnSettling } from './settle-turn';
import { requestTurn, type OpenReply } from './turn-request';
import { showRefusedTurn, type PlacedTurn } from './turn-rows';

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
    const replyId = messages.getMessage(turn.assistantKey)?.id;
    // The connection broke, not the reply: the server goes on writing it, so read it again.
    if (isBrokenStream(outcome) && outcome.started && replyId && epoch === chat.epoch() && !reading.signal.aborted) {
      outcome = await reconnectReply(
        { transport: chat.transport(), replyId, store: messages, assistantKey: turn.assistantKey, signal: reading.signal },
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
      messages.remove([turn.assistantKey]);
      chat.setState({ status: 'idle' });
      if (replyId) chat.replyGone(replyId);
      return;
    }
    if (outcome.kind === 'stopped') {
      // Not this reader's Stop (the server's time limit, another tab): the row says why, in the server's words.
      const notice = !reading.stopRequested && outcome.error ? outcome.error.message : null;
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
