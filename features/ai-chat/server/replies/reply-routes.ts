import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { ReplyStopResponse } from '../../protocol/rest';
import type { UserChatStore } from '../../store/chat-store';
import { isUuid } from '../../store/ids';
import type { ResolvedHandlerOptions } from '../http/handler-options';
import { json, readTextCapped, SSE_HEADERS } from '../http/http';
import { followFromCheckpoints } from './reply-follow';
import { answerApproval } from '../approvals/approval-routes';
import type { ReplyRegistry } from './reply-registry';

/** How often a follower on another instance reads new checkpoint chunks. */
const FOLLOW_POLL_MS = 300;
const STOP_BODY_BYTES = 1024;

/**
 * `POST replies/:id/stop`, `GET replies/:id/stream` and `POST replies/:id/approvals/:approvalId`
 * (approvals/approval-routes), for this user's replies only: another
 * user's run answers 404, as a missing one does.
 */
export async function routeReplies(
  request: Request,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  replies: ReplyRegistry,
  segments: readonly string[],
): Promise<Response> {
  const [id, action] = segments;
  const method = request.method.toUpperCase();
  if (segments.length === 3 && action === 'approvals') {
    if (method !== 'POST') return notAllowed('POST');
    return answerApproval(request, user, replies, id!, segments[2]!);
  }
  if (segments.length !== 2 || (action !== 'stop' && action !== 'stream')) throw new ChatError('not_found', 'No such route.');
  if (action === 'stop' && method !== 'POST') return notAllowed('POST');
  if (action === 'stream' && method !== 'GET') return notAllowed('GET');
  if (!isUuid(id!)) throw notFound();
  return action === 'stop' ? stop(request, user, replies, id!) : attach(user, options, replies, id!);
}

/** A stop takes no body: `{}` or nothing; anything else is refused (400). */
export async function readStopBody(request: Request): Promise<void> {
  const body = (await readTextCapped(request, STOP_BODY_BYTES)).trim();
  if (body === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ChatError('bad_request', 'The body must be JSON: {} or nothing.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ChatError('bad_request', 'The body must be {} or nothing.');
}

async function stop(request: Request, user: UserChatStore, replies: ReplyRegistry, id: string): Promise<Response> {
  await readStopBody(request);
  const local = replies.get(id, user.userId);
  if (local) {
    if (local.isEnded) return json({ id, state: 'finished' } satisfies ReplyStopResponse);
    local.stop();
    return json({ id, state: 'stopping' } satisfies ReplyStopResponse, { status: 202 });
  }
  const state = await replies.store.requestStop(user.userId, id);
  if (state === null) throw notFound();
  if (state === 'generating') return json({ id, state: 'stopping' } satisfies ReplyStopResponse, { status: 202 });
  return json({ id, state: 'finished' } satisfies ReplyStopResponse);
}

async function attach(user: UserChatStore, options: ResolvedHandlerOptions, replies: ReplyRegistry, id: string): Promise<Response> {
  const local = replies.get(id, user.userId);
  if (local) return new Response(local.subscribe(options.pingIntervalMs), { headers: SSE_HEADERS });
  const first = await replies.store.read(user.userId, id, -1);
  if (!first) throw notFound();
  const stream = followFromCheckpoints(first, {
    store: replies.store,
    userId: user.userId,
    pollMs: FOLLOW_POLL_MS,
    pingIntervalMs: options.pingIntervalMs,
    staleReplySeconds: options.staleReplySeconds,
    sweep: (runId) => replies.sweep(runId),
  });
  return new Response(stream, { headers: SSE_HEADERS });
}

function notFound(): ChatError {
  return new ChatError('not_found', 'Reply not found.');
}

function notAllowed(allow: string): Response {
  return json({ error: { code: 'bad_request', message: `Method not allowed here. Allowed: ${allow}.` } }, { status: 405, headers: { allow } });
}
