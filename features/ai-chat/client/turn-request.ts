import type { ChatRequestBody } from '../protocol/chat-request';
import type { ChatError } from '../protocol/errors';
import type { ChatTransport, ReplyEvents } from './chat-transport';
import type { ChatSessionOptions } from './chat-session-types';
import { chatRequestBody, modelForTurn } from './chat-turn';
import { toChatError } from './http-error';
import type { MessageStore } from './message-store';
import type { ModelRef } from './saved-turn';
import { streamReply, type StreamReplyTarget } from './stream-reply';
import type { PlacedTurn } from './turn-rows';

/**
 * How a turn's request ended. `started`: the server named the turn (its `start` event), so it
 * has the question and may have saved part of the reply; before that, nothing of it is saved.
 */
export type TurnOutcome =
  | { kind: 'finished' }
  | { kind: 'stopped'; started: boolean; error?: ChatError }
  | { kind: 'failed'; started: boolean; error: ChatError };

/** The body of a placed turn, sent to the model the chat is held on (else the options'). */
export function turnRequestBody(
  placed: PlacedTurn,
  conversationId: string | null,
  heldModel: ModelRef | null,
  options: ChatSessionOptions,
): ChatRequestBody {
  const { turn, parentId } = placed;
  const { systemPrompt, temperature, maxTokens } = options;
  const { provider, model } = modelForTurn(heldModel, options);
  return chatRequestBody({
    ...{ text: turn.text, attachments: turn.attachments, branch: turn.branch, parentId, conversationId, regenerating: turn.regenerating },
    ...{ provider, model, systemPrompt, temperature, maxTokens },
  });
}

export interface TurnRequestEvents {
  onStart: StreamReplyTarget['onStart'];
  /** Called once the reply has finished; if it throws, the turn counts as failed. */
  onFinish: () => void;
}

/** Opens the event stream of a reply: the turn sent that asks for it, or an attach to it. */
export type OpenReply = (signal: AbortSignal) => Promise<ReplyEvents>;

/** A turn's body sent through the chat's transport. */
export const sendTurn =
  (transport: ChatTransport, body: ChatRequestBody): OpenReply =>
  (signal) =>
    transport.sendTurn(body, signal);

/**
 * Reads a placed turn's reply into its rows, from the stream `open` gives: the one its POST
 * answers with, or the one a reader attaches to later (after a reload, in a second tab). Never
 * rejects: every ending is an outcome. A reply the server stopped (a Stop from this tab or any
 * other) ends with an `aborted` error: that is a stop, not a failure.
 */
export async function requestTurn(
  open: OpenReply,
  store: MessageStore,
  placed: PlacedTurn,
  signal: AbortSignal,
  events: TurnRequestEvents,
): Promise<TurnOutcome> {
  const { turn, replacedSiblings } = placed;
  let started = false;
  try {
    const reply = await open(signal);
    await streamReply(reply, {
      store,
      userKey: turn.userKey,
      assistantKey: turn.assistantKey,
      replacedSiblings: replacedSiblings.length > 0 ? replacedSiblings : undefined,
      replacing: turn.regenerating ? 'assistant' : 'user',
      signal,
      onStart: (event) => {
        started = true;
        events.onStart(event);
      },
    });
    events.onFinish();
    return { kind: 'finished' };
  } catch (error) {
    // Text still batched for the next frame belongs to the rows as they end.
    store.flush();
    if (signal.aborted) return { kind: 'stopped', started };
    const failure = toChatError(error);
    // Its message says who stopped it: a reader's Stop, or the server's time limit.
    if (started && failure.code === 'aborted') return { kind: 'stopped', started, error: failure };
    return { kind: 'failed', started, error: failure };
  }
}
