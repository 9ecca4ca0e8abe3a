import { type ChatEvent, chatEventSchema } from '../protocol/chat-events';
import type { ChatRequestBody } from '../protocol/chat-request';
import { ChatError } from '../protocol/errors';
import type { ConversationDetail } from '../protocol/rest';
import { attachReply, DEFAULT_CHAT_API, getConversation, patchConversation, postChat, stopReply } from './server-api';
import { createParser } from 'eventsource-parser';
import type { ChatSessionOptions } from './session-types';
import { chatRequestBody, modelForTurn, type PlacedTurn } from './chat-turn';
import { toChatError } from './http-error';
import type { MessageStore } from './message-store';
import type { ModelRef } from './settle-turn';
import { streamReply, type StreamReplyTarget } from './stream-reply';

/**
 * A reply's events, read in order to the end of its stream: resolves when the stream ends (the
 * reader tells a `finish` from a stream that stopped short), rejects when it broke or `signal`
 * aborted.
 */
export type ReplyEvents = (onEvent: (event: ChatEvent) => void, signal?: AbortSignal) => Promise<void>;

/**
 * The seam between the chat's state machine and the wire: how a session sends a turn, attaches
 * to a reply being written, stops one, and reads the conversation as saved. HTTP to the module's
 * routes by default (`httpChatTransport`); an app or a test may give its own.
 */
export interface ChatTransport {
  /** Sends a turn; resolves once the server took it, with its reply's events. Rejects with a ChatError when refused. */
  sendTurn(body: ChatRequestBody, signal: AbortSignal): Promise<ReplyEvents>;
  /** A reply still being written, from its start, then live; rejects `not_found` once no stream of it is kept. */
  attachReply(replyId: string, signal: AbortSignal): Promise<ReplyEvents>;
  /** Asks the server to stop writing the reply, for every reader of it. */
  stopReply(replyId: string): Promise<'stopping' | 'finished'>;
  /** The conversation's active branch, as saved. */
  loadConversation(conversationId: string, signal?: AbortSignal): Promise<ConversationDetail>;
  /** Makes `activeMessageId`'s branch the one the conversation shows. */
  switchBranch(conversationId: string, activeMessageId: string): Promise<void>;
}

/** The module's own routes under `api` (default '/api/chat'): POST for a turn, SSE for its events. */
export function httpChatTransport(api: string = DEFAULT_CHAT_API): ChatTransport {
  return {
    sendTurn: async (body, signal) => eventsOf(await postChat(api, body, signal)),
    attachReply: async (replyId, signal) => eventsOf(await attachReply(api, replyId, signal)),
    stopReply: (replyId) => stopReply(api, replyId),
    loadConversation: (conversationId, signal) => getConversation(api, conversationId, signal),
    switchBranch: (conversationId, activeMessageId) => patchConversation(api, conversationId, { activeMessageId }),
  };
}

function eventsOf(response: Response): ReplyEvents {
  const body = response.body;
  if (!body) throw new ChatError('unknown', 'The server sent an empty reply.');
  return (onEvent, signal) => readChatEvents(body, onEvent, signal);
}

const KNOWN_TYPES: ReadonlySet<string> = new Set<string>(chatEventSchema.options.map((option) => option.shape.type.value));

/**
 * Reads POST /api/chat's `text/event-stream` body and hands each event to `onEvent`, in order.
 * Comments (`: ping`) carry nothing; an event type this client does not know is skipped (a newer
 * server), a known one that does not match its schema is an error. Resolves when the body ends.
 */
export async function readChatEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ChatEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  let failure: ChatError | undefined;
  const parser = createParser({
    onEvent(message) {
      if (failure) return;
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch (cause) {
        failure = new ChatError('unknown', 'The server sent a malformed event.', { cause });
        return;
      }
      // The hot path, once per token: a text delta is checked by hand, not walked through zod.
      if (isTextDelta(json)) {
        onEvent(json);
        return;
      }
      const parsed = chatEventSchema.safeParse(json);
      if (parsed.success) {
        onEvent(parsed.data);
        return;
      }
      const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
      if (typeof type === 'string' && KNOWN_TYPES.has(type)) {
        failure = new ChatError('unknown', `The server sent an invalid "${type}" event.`, { cause: parsed.error });
      }
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Stopping cancels the body itself, not only the fetch: not every fetch (polyfills, test
  // interceptors) ends a body that has already started when its request is aborted.
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (failure) throw failure;
    }
    parser.feed(decoder.decode());
    if (failure) throw failure;
  } catch (error) {
    // Stop the body too: a broken stream must not keep the connection open.
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

function isTextDelta(value: unknown): value is Extract<ChatEvent, { type: 'text-delta' }> {
  const event = value as { type?: unknown; delta?: unknown } | null;
  return typeof event === 'object' && event !== null && event.type === 'text-delta' && typeof event.delta === 'string';
}

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

/**
 * A session's wire, read at each use: the options' own transport, else HTTP to the routes under
 * `api` (made once per base path, so a re-render never makes a new one).
 */
export function sessionTransport(): (options: { api?: string; transport?: ChatTransport }) => ChatTransport {
  let http: { api: string; transport: ChatTransport } | null = null;
  return (options) => {
    if (options.transport) return options.transport;
    const api = options.api ?? DEFAULT_CHAT_API;
    if (http?.api !== api) http = { api, transport: httpChatTransport(api) };
    return http.transport;
  };
}
