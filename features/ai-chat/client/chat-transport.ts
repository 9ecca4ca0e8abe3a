import type { ChatEvent } from '../protocol/chat-events';
import type { ChatRequestBody } from '../protocol/chat-request';
import { ChatError } from '../protocol/errors';
import type { ConversationDetail } from '../protocol/rest';
import { attachReply, DEFAULT_CHAT_API, getConversation, patchConversation, postChat, stopReply } from './chat-api';
import { readChatEvents } from './read-chat-events';

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
