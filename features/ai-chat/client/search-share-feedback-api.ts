import type { z } from 'zod';
import { ChatError } from '../protocol/errors';
import { conversationFeedbackSchema, feedbackSavedSchema, type FeedbackRating, type MessageFeedback } from '../protocol/feedback';
import { searchResultsSchema, type SearchHit } from '../protocol/search';
import { shareStatusSchema, type CreateShareBody, type ShareLink } from '../protocol/share';
import { chatUrl } from './server-api';
import { chatErrorFromResponse, toChatError } from './http-error';

/** The routes of search, share links and feedback, for the components (see server/http/search-share-feedback-routes). */

async function send(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw toChatError(error);
  }
  if (!response.ok) throw await chatErrorFromResponse(response);
  return response;
}

async function sendJson<S extends z.ZodType>(url: string, init: RequestInit, schema: S): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await (await send(url, init)).json().catch(() => undefined));
  if (!parsed.success) throw new ChatError('unknown', 'The server sent an answer this client does not understand.', { cause: parsed.error });
  return parsed.data;
}

const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** GET {api}/search?q=: the user's chats and messages holding every word, best first. */
export async function searchChats(api: string, query: string, signal?: AbortSignal): Promise<SearchHit[]> {
  return (await sendJson(chatUrl(api, `/search?q=${encodeURIComponent(query)}`), { signal }, searchResultsSchema)).results;
}

/** Shows the branch through `messageId` (PATCH activeMessageId): a search result's message on show. */
export async function showMessageBranch(api: string, conversationId: string, messageId: string): Promise<void> {
  await send(chatUrl(api, `/conversations/${encodeURIComponent(conversationId)}`), jsonInit('PATCH', { activeMessageId: messageId }));
}

export async function getShareLink(api: string, conversationId: string, signal?: AbortSignal): Promise<ShareLink | null> {
  return (await sendJson(chatUrl(api, `/conversations/${encodeURIComponent(conversationId)}/share`), { signal }, shareStatusSchema)).share;
}

export async function createShareLink(api: string, conversationId: string, body: CreateShareBody): Promise<ShareLink> {
  const { share } = await sendJson(chatUrl(api, `/conversations/${encodeURIComponent(conversationId)}/share`), jsonInit('POST', body), shareStatusSchema);
  if (!share) throw new ChatError('unknown', 'The server did not return the link.');
  return share;
}

export async function revokeShareLink(api: string, conversationId: string): Promise<void> {
  await send(chatUrl(api, `/conversations/${encodeURIComponent(conversationId)}/share`), { method: 'DELETE' });
}

/** The page a share id is read at, on this site. */
export function shareUrl(id: string): string {
  const path = `/share/${encodeURIComponent(id)}`;
  return typeof window === 'undefined' ? path : new URL(path, window.location.href).toString();
}

// One read of a conversation's feedback per page load, shared by its rows; a rating updates it.
const feedbackReads = new Map<string, Promise<Map<string, MessageFeedback>>>();

/** The user's feedback on a conversation's replies, by message id (one request per conversation). */
export function conversationFeedback(api: string, conversationId: string): Promise<Map<string, MessageFeedback>> {
  const key = `${api} ${conversationId}`;
  let read = feedbackReads.get(key);
  if (!read) {
    read = sendJson(chatUrl(api, `/conversations/${encodeURIComponent(conversationId)}/feedback`), {}, conversationFeedbackSchema).then(
      ({ feedback }) => new Map(feedback.map((given) => [given.messageId, given])),
    );
    read.catch(() => feedbackReads.delete(key));
    feedbackReads.set(key, read);
  }
  return read;
}

/** Rates a reply (rating null: clears it) and returns what was saved. */
export async function rateReply(api: string, conversationId: string, messageId: string, rating: FeedbackRating | null, comment: string | null = null): Promise<MessageFeedback> {
  const { feedback } = await sendJson(chatUrl(api, `/messages/${encodeURIComponent(messageId)}/feedback`), jsonInit('POST', { rating, comment }), feedbackSavedSchema);
  const cached = feedbackReads.get(`${api} ${conversationId}`);
  if (cached) void cached.then((byMessage) => byMessage.set(messageId, feedback), () => undefined);
  return feedback;
}
