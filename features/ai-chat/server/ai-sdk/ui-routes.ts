import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { GeneratingReply, UserChatStore } from '../../store/chat-store';
import type { ResolvedHandlerOptions } from '../http/handler-options';
import { API_SECURITY_HEADERS, json } from '../http/http';
import { followFromCheckpoints } from '../replies/reply-follow';
import type { ReplyRegistry } from '../replies/reply-registry';
import { readStopBody } from '../replies/reply-routes';
import { conversationIdOfChat } from './chat-id';
import { toUiMessages } from './ui-messages';
import { UI_STREAM_HEADERS, uiFraming } from './ui-stream';

/** How often a follower on another instance reads new checkpoint chunks (as replies/:id/stream). */
const FOLLOW_POLL_MS = 300;

/** What `POST {chatId}/stop` answers. */
export interface UiChatStopResponse {
  chatId: string;
  /** `stopping`: a reply was in progress and is being stopped; `idle`: none was. */
  state: 'stopping' | 'idle';
}

/**
 * The routes an AI SDK client calls by its chat id, for this user's chat only:
 * `GET {id}/stream` (the transport's reconnect: 204, or the reply in progress from its start and
 * then live, from any instance), `POST {id}/stop` (stops it, from any tab or instance) and
 * `GET {id}/messages` (`{ messages: UIMessage[] }`: the chat's shown branch, for `useChat({ messages })`).
 * Null when the path is none of them. A chat id equal to one of our own route names
 * (`conversations`, `replies`, …) is shadowed by that route.
 */
export async function routeUiChat(
  request: Request,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  replies: ReplyRegistry,
  segments: readonly string[],
): Promise<Response | null> {
  if (segments.length !== 2) return null;
  const [encodedId, action] = segments as [string, string];
  if (action !== 'stream' && action !== 'stop' && action !== 'messages') return null;
  const method = request.method.toUpperCase();
  const wanted = action === 'stop' ? 'POST' : 'GET';
  if (method !== wanted) {
    return json({ error: { code: 'bad_request', message: `Method not allowed here. Allowed: ${wanted}.` } }, { status: 405, headers: { allow: wanted } });
  }
  const conversationId = conversationIdOfChat(user.userId, chatIdOf(encodedId));
  if (action === 'messages') return messages(user, options, conversationId);
  if (action === 'stop') return stop(request, user, replies, chatIdOf(encodedId), conversationId);
  return resume(user, options, replies, conversationId);
}

function chatIdOf(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ChatError('bad_request', 'The chat id in the path is not valid percent-encoding.');
  }
}

async function messages(user: UserChatStore, options: ResolvedHandlerOptions, conversationId: string): Promise<Response> {
  const conversation = await user.getConversation(conversationId);
  // A chat not started yet has no messages (the first POST creates it).
  const branch = conversation?.activeLeafId ? await user.getActiveBranch(conversationId, conversation.activeLeafId) : [];
  return json({ conversationId: conversation ? conversationId : null, messages: toUiMessages(branch, options.basePath) });
}

/** The chat's newest reply still generating, on any instance. */
async function replyInProgress(user: UserChatStore, replies: ReplyRegistry, conversationId: string): Promise<GeneratingReply[]> {
  const generating = await replies.store.generating(user.userId, conversationId);
  return [...generating].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

async function resume(user: UserChatStore, options: ResolvedHandlerOptions, replies: ReplyRegistry, conversationId: string): Promise<Response> {
  const [newest] = await replyInProgress(user, replies, conversationId);
  if (!newest) return noReply();
  const local = replies.get(newest.id, user.userId);
  if (local) return new Response(local.subscribe(options.pingIntervalMs, uiFraming()), { headers: UI_STREAM_HEADERS });
  const first = await replies.store.read(user.userId, newest.id, -1);
  if (!first) return noReply();
  const stream = followFromCheckpoints(first, {
    store: replies.store,
    userId: user.userId,
    pollMs: FOLLOW_POLL_MS,
    pingIntervalMs: options.pingIntervalMs,
    staleReplySeconds: options.staleReplySeconds,
    sweep: (runId) => replies.sweep(runId),
    framing: uiFraming(),
  });
  return new Response(stream, { headers: UI_STREAM_HEADERS });
}

async function stop(request: Request, user: UserChatStore, replies: ReplyRegistry, chatId: string, conversationId: string): Promise<Response> {
  await readStopBody(request);
  const running = await replyInProgress(user, replies, conversationId);
  let stopping = false;
  for (const reply of running) {
    const local = replies.get(reply.id, user.userId);
    if (local) {
      if (!local.isEnded) {
        local.stop();
        stopping = true;
      }
    } else if ((await replies.store.requestStop(user.userId, reply.id)) === 'generating') {
      stopping = true;
    }
  }
  const body: UiChatStopResponse = { chatId, state: stopping ? 'stopping' : 'idle' };
  return json(body, { status: stopping ? 202 : 200 });
}

/** Nothing to resume: 204, as the AI SDK's transport expects. */
function noReply(): Response {
  return new Response(null, { status: 204, headers: { ...API_SECURITY_HEADERS, 'cache-control': 'no-store' } });
}
