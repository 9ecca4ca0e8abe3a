import { z } from 'zod';
import type { ChatRequestBody, ConversationPatchBody } from '../protocol/chat-request';
import { attachmentRecordSchema, attachmentUploadedSchema, type ChatConfig, chatConfigSchema, conversationCreatedSchema, type ConversationDetail, conversationDetailSchema, conversationListSchema, type ConversationTools, conversationToolsSchema, type CreateConversationBody, errorResponseSchema, replyStopResponseSchema, toolApprovalAnswerResponseSchema, type UsageResponse, usageResponseSchema } from '../protocol/rest';
import type { ConversationRecord } from '../protocol/records';
import { ChatError } from '../protocol/errors';
import { chatErrorFromCode, chatErrorFromResponse, isAbortError, toChatError } from './http-error';
import type { ChatTransport } from './chat-transport';
import type { ChatSessionState } from './session-types';
import type { MessageStore } from './message-store';
import { modelOfConversation, viewsFromDetail } from './settle-turn';

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

/** GET {api}/conversations/:id/tools: the app's tools and each MCP server's, on or off in this chat. */
export function getConversationTools(api: string, id: string, signal?: AbortSignal): Promise<ConversationTools> {
  return sendJson(chatUrl(api, `/conversations/${encodeURIComponent(id)}/tools`), { signal }, conversationToolsSchema);
}

export async function deleteConversation(api: string, id: string): Promise<void> {
  await send(chatUrl(api, `/conversations/${encodeURIComponent(id)}`), { method: 'DELETE' });
}

/**
 * A page of the list: the first (pinned chats first) or the one after the chat `after` (its last
 * message time and id); the chats on show or the archived.
 */
export async function listConversations(
  api: string,
  signal?: AbortSignal,
  page: { limit?: number; after?: Pick<ConversationRecord, 'id' | 'lastMessageAt'>; archived?: boolean } = {},
): Promise<ConversationRecord[]> {
  const query = new URLSearchParams();
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  if (page.after?.lastMessageAt) {
    query.set('before', page.after.lastMessageAt);
    query.set('beforeId', page.after.id);
  }
  if (page.archived) query.set('archived', 'true');
  const search = query.size > 0 ? `?${query}` : '';
  return (await sendJson(chatUrl(api, `/conversations${search}`), { signal }, conversationListSchema)).conversations;
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

/**
 * The client side of the attachment routes: POST {api}/attachments (multipart, one `file`
 * field) → 201 {attachment}; GET {api}/attachments/:id → the bytes; DELETE (unsent only) → 204.
 */

/** A file the server stored for this user, as POST {api}/attachments answers it. */
export type AttachmentRecord = z.infer<typeof attachmentRecordSchema>;

const uploadResponseSchema = attachmentUploadedSchema;

/** Where the browser loads an attachment from (the route checks it is the reader's). */
export function attachmentUrl(api: string, id: string): string {
  return chatUrl(api, `/attachments/${encodeURIComponent(id)}`);
}

export interface UploadOptions {
  /** Fraction sent, 0 to 1, from the request's upload progress events. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Uploads one file. XMLHttpRequest, not fetch: only it reports upload progress. Rejects with the
 * server's ChatError (file_too_large, too_many_files, unsupported_file_type, …), `network` when
 * the connection failed, `aborted` when `signal` fired.
 */
export function uploadAttachment(api: string, file: File, options: UploadOptions = {}): Promise<AttachmentRecord> {
  const { onProgress, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ChatError('aborted', 'Upload cancelled.'));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', chatUrl(api, '/attachments'));
    xhr.responseType = 'text';
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(Math.min(1, event.loaded / event.total));
    });
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.addEventListener('load', () => {
      done();
      const json = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        const parsed = uploadResponseSchema.safeParse(json);
        if (parsed.success) resolve(parsed.data.attachment);
        else reject(new ChatError('unknown', 'The server sent an answer this client does not understand.', { cause: parsed.error }));
        return;
      }
      const error = errorResponseSchema.safeParse(json);
      reject(
        error.success
          ? chatErrorFromCode(error.data.error.code, error.data.error.message)
          : new ChatError(xhr.status === 413 ? 'file_too_large' : 'unknown', `The upload failed (${xhr.status}).`),
      );
    });
    xhr.addEventListener('error', () => {
      done();
      reject(new ChatError('network', 'The upload failed. Check your network and try again.'));
    });
    xhr.addEventListener('abort', () => {
      done();
      reject(new ChatError('aborted', 'Upload cancelled.'));
    });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Deletes a file that was uploaded but not sent. A file already gone is no error. */
export async function deleteAttachment(api: string, id: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(attachmentUrl(api, id), { method: 'DELETE', credentials: 'same-origin' });
  } catch {
    return; // Unsent files are the server's to clean up when the page is gone; nothing to tell.
  }
  if (!response.ok && response.status !== 404) throw await chatErrorFromResponse(response);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads a conversation and shows its active branch as saved, held on the model that wrote it;
 * a failure shows as the chat's error. Aborted reads show nothing: another load or chat won.
 * Resolves with what it showed, or null.
 */
export async function showConversation(
  chat: { messages: MessageStore; setState(patch: Partial<ChatSessionState>): void },
  transport: ChatTransport,
  conversationId: string,
  signal: AbortSignal,
): Promise<ConversationDetail | null> {
  try {
    const detail = await transport.loadConversation(conversationId, signal);
    if (signal.aborted) return null;
    chat.messages.replaceAll(viewsFromDetail(detail));
    chat.setState({ historyLoading: false, conversationModel: modelOfConversation(detail), failedReplyKey: null });
    return detail;
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return null;
    chat.setState({ historyLoading: false, error: toChatError(error) });
    return null;
  }
}
