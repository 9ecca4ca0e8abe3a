import 'server-only';
import { ChatError } from '../../protocol/errors';
import { feedbackBodySchema, type FeedbackReport } from '../../protocol/feedback';
import { searchQuerySchema, searchTerms } from '../../protocol/search';
import { createShareBodySchema } from '../../protocol/share';
import type { UserChatStore } from '../../store/chat-store';
import type { ResolvedHandlerOptions } from './handler-options';
import { json, parseWith, readJsonBody } from './http';

const MAX_SMALL_BODY_BYTES = 16 * 1024;

/**
 * Search, share links and feedback under the base path, as the session's user; null when the path
 * is none of theirs. Another user's conversation or message answers 404, as a missing one does.
 *
 *   GET    /search?q=&limit=                    → { results }
 *   GET    /conversations/:id/share             → { share }  (null: not shared)
 *   POST   /conversations/:id/share             → 201 { share } (shares, or refreshes the copy)
 *   DELETE /conversations/:id/share             → 204 (revoked: the link is 404 at once)
 *   GET    /conversations/:id/feedback          → { feedback: [...] }
 *   POST   /messages/:id/feedback               → { feedback } ({ rating: null } clears it)
 */
export async function routeSearchShareFeedback(
  request: Request,
  user: UserChatStore,
  options: ResolvedHandlerOptions,
  segments: readonly string[],
): Promise<Response | null> {
  const method = request.method.toUpperCase();
  const [first, id, last] = segments;
  if (first === 'search' && segments.length === 1) {
    return method === 'GET' ? search(request, user) : notAllowed('GET');
  }
  if (first === 'conversations' && segments.length === 3 && last === 'share') {
    if (method === 'GET') return share(user, id!);
    if (method === 'POST') return createShare(request, user, id!);
    if (method === 'DELETE') return revokeShare(user, id!);
    return notAllowed('GET, POST, DELETE');
  }
  if (first === 'conversations' && segments.length === 3 && last === 'feedback') {
    if (method !== 'GET') return notAllowed('GET');
    if (!(await user.getConversation(id!))) throw conversationNotFound();
    return json({ feedback: await user.listFeedback(id!) });
  }
  if (first === 'messages' && segments.length === 3 && last === 'feedback') {
    return method === 'POST' ? setFeedback(request, user, options, id!) : notAllowed('POST');
  }
  return null;
}

async function search(request: Request, user: UserChatStore): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const query = parseWith(searchQuerySchema, { q: params.get('q') ?? undefined, limit: params.get('limit') ?? undefined });
  const terms = searchTerms(query.q);
  return json({ results: terms.length === 0 ? [] : await user.search(terms, { limit: query.limit }) });
}

async function share(user: UserChatStore, conversationId: string): Promise<Response> {
  if (!(await user.getConversation(conversationId))) throw conversationNotFound();
  return json({ share: await user.getShare(conversationId) });
}

async function createShare(request: Request, user: UserChatStore, conversationId: string): Promise<Response> {
  const body = await readJsonBody(request, createShareBodySchema, MAX_SMALL_BODY_BYTES);
  const created = await user.createShare(conversationId, body);
  if (!created) throw conversationNotFound();
  return json({ share: created }, { status: 201 });
}

async function revokeShare(user: UserChatStore, conversationId: string): Promise<Response> {
  if (!(await user.revokeShare(conversationId))) throw new ChatError('not_found', 'This conversation has no share link.');
  return new Response(null, { status: 204 });
}

async function setFeedback(request: Request, user: UserChatStore, options: ResolvedHandlerOptions, messageId: string): Promise<Response> {
  const body = await readJsonBody(request, feedbackBodySchema, MAX_SMALL_BODY_BYTES);
  const comment = body.rating === null ? null : body.comment || null;
  const saved = await user.setFeedback(messageId, body.rating, comment);
  if (!saved) throw new ChatError('not_found', 'Reply not found.');
  if (options.onFeedback) {
    const report: FeedbackReport = { userId: user.userId, conversationId: saved.conversationId, messageId, rating: saved.rating, comment: saved.comment };
    try {
      await options.onFeedback(report);
    } catch (error) {
      // The app's analytics failing is not the user's failure: their feedback is saved.
      console.error('ai-chat: the onFeedback hook threw', error);
    }
  }
  return json({ feedback: saved });
}

function conversationNotFound(): ChatError {
  return new ChatError('not_found', 'Conversation not found.');
}

function notAllowed(allow: string): Response {
  return json(
    { error: { code: 'bad_request', message: `Method not allowed here. Allowed: ${allow}.` } },
    { status: 405, headers: { allow } },
  );
}
