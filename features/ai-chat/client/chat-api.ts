import type { z } from 'zod';
import type { ChatRequestBody, ConversationPatchBody } from '../protocol/chat-request';
import {
  chatConfigSchema,
  conversationCreatedSchema,
  conversationDetailSchema,
  conversationListSchema,
  replyStopResponseSchema,
  toolApprovalAnswerResponseSchema,
  usageResponseSchema,
  type ChatConfig,
  type ConversationDetail,
  type CreateConversationBody,
  type UsageResponse,
} from '../protocol/rest';
import type { ConversationRecord } from '../protocol/records';
import { ChatError } from '../protocol/errors';
import { chatErrorFromResponse, toChatError } from './http-error';

/** The default base path of the module's routes. */
export const DEFAULT_CHAT_API = '/api/chat';

/** `api` + `path` as an absolute URL where there is a page to resolve against. */
export function chatUrl(api: string, path = ''): string {
  const relative = `${api.replace(/\/+$/, '')}${path}`;
  const base = typeof window === 'undefined' ? undefined : window.location?.href;
  return base ? new URL(relative, base).toString() : relative;
}

async function send(url: string, init: RequestInit): Promise<Response> {
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
  const response = await send(url, init);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ChatError('unknown', 'The server sent an answer this client does not understand.', { cause: parsed.error });
  return parsed.data;
}

function jsonInit(method: string, body: unknown, signal?: AbortSignal): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
}

/** POST /api/chat: the streaming response, already checked to be 2xx. */
export function postChat(api: string, body: ChatRequestBody, signal: AbortSignal): Promise<Response> {
  return send(chatUrl(api), {
    ...jsonInit('POST', body, signal),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
  });
}

/**
 * GET {api}/replies/:id/stream: a reply still being written, in POST /api/chat's events, from its
 * `start` then live. 404 once the server keeps no such reply (its saved row is in the conversation).
 */
export function attachReply(api: string, id: string, signal: AbortSignal): Promise<Response> {
  return send(chatUrl(api, `/replies/${encodeURIComponent(id)}/stream`), { signal, headers: { accept: 'text/event-stream' } });
}

/** POST {api}/replies/:id/stop: asks the server to stop writing the reply, whichever tab began it. */
export async function stopReply(api: string, id: string): Promise<'stopping' | 'finished'> {
  return (await sendJson(chatUrl(api, `/replies/${encodeURIComponent(id)}/stop`), jsonInit('POST', {}), replyStopResponseSchema)).state;
}

/** POST {api}/replies/:id/approvals/:approvalId: the person's answer to a tool call waiting for it (409: already answered). */
export async function answerToolApproval(api: string, replyId: string, approvalId: string, approved: boolean): Promise<'approved' | 'denied'> {
  const path = `/replies/${encodeURIComponent(replyId)}/approvals/${encodeURIComponent(approvalId)}`;
  return (await sendJson(chatUrl(api, path), jsonInit('POST', { approved }), toolApprovalAnswerResponseSchema)).state;
}

export function getConversation(api: string, id: string, signal?: AbortSignal): Promise<ConversationDetail> {
  return sendJson(chatUrl(api, `/conversations/${encodeURIComponent(id)}`), { signal }, conversationDetailSchema);
}

export async function patchConversation(api: string, id: string, patch: ConversationPatchBody): Promise<void> {
  await send(chatUrl(api, `/conversations/${encodeURIComponent(id)}`), jsonInit('PATCH', patch));
}

export async function deleteConversation(api: string, id: string): Promise<void> {
  await send(chatUrl(api, `/conversations/${encodeURIComponent(id)}`), { method: 'DELETE' });
}

export async function listConversations(api: string, signal?: AbortSignal): Promise<ConversationRecord[]> {
  return (await sendJson(chatUrl(api, '/conversations'), { signal }, conversationListSchema)).conversations;
}

export async function createConversation(api: string, body: CreateConversationBody): Promise<ConversationRecord> {
  return (await sendJson(chatUrl(api, '/conversations'), jsonInit('POST', body), conversationCreatedSchema)).conversation;
}

export function getUsage(api: string, signal?: AbortSignal): Promise<UsageResponse> {
  return sendJson(chatUrl(api, '/usage'), { signal }, usageResponseSchema);
}

export function getChatConfig(api: string, signal?: AbortSignal): Promise<ChatConfig> {
  return sendJson(chatUrl(api, '/config'), { signal }, chatConfigSchema);
}
