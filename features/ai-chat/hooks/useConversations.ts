'use client';

import { useCallback } from 'react';
import {
  chatUrl,
  createConversation as postConversation,
  deleteConversation as removeConversation,
  DEFAULT_CHAT_API,
  listConversations,
  patchConversation,
} from '../client/server-api';
import { chatErrorFromResponse, toChatError } from '../client/http-error';
import { MAX_IMPORT_BYTES, type ExportFormat } from '../protocol/export';
import { ChatError } from '../protocol/errors';
import type { ConversationRecord } from '../protocol/records';
import { conversationDetailSchema, type CreateConversationBody } from '../protocol/rest';
import { useFetched } from './useFetched';

const EMPTY: readonly ConversationRecord[] = [];

export interface UseConversationsOptions {
  api?: string;
}

export interface UseConversationsResult {
  /** Newest first. */
  conversations: readonly ConversationRecord[];
  loading: boolean;
  error: ChatError | null;
  refresh: () => Promise<void>;
  /** Creates an empty conversation and puts it first; throws (a ChatError) if the server refuses. */
  createConversation: (body?: CreateConversationBody) => Promise<ConversationRecord>;
  /** Renames at once; the old title comes back if the server refuses. Resolves to whether it was saved. */
  renameConversation: (id: string, title: string) => Promise<boolean>;
  /** Removes at once; the conversation comes back if the server refuses. Resolves to whether it was deleted. */
  deleteConversation: (id: string) => Promise<boolean>;
  /** Downloads the conversation (GET …/export) as a file; throws (a ChatError) if the server refuses. */
  exportConversation: (id: string, format: ExportFormat) => Promise<void>;
  /** Imports an exported JSON file as a new conversation and resolves to it; throws a ChatError with words. */
  importConversation: (file: Blob) => Promise<ConversationRecord>;
}

async function fetchOrThrow(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw toChatError(error);
  }
  if (!response.ok) throw await chatErrorFromResponse(response);
  return response;
}

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
}

/** Hands `blob` to the browser as a download named `filename`. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; revoke once the browser has read the URL.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** GET …/conversations/:id/export, saved as a file. */
export async function downloadConversationExport(api: string, id: string, format: ExportFormat): Promise<void> {
  const url = chatUrl(api, `/conversations/${encodeURIComponent(id)}/export?format=${format}`);
  const response = await fetchOrThrow(url);
  saveBlob(await response.blob(), filenameOf(response, `conversation.${format === 'json' ? 'json' : 'md'}`));
}

/** POST …/conversations/import with the file's JSON; resolves to the new conversation. */
export async function uploadConversationImport(api: string, file: Blob): Promise<ConversationRecord> {
  if (file.size > MAX_IMPORT_BYTES) {
    throw new ChatError('payload_too_large', `That file is ${formatMegabytes(file.size)}; an import can be at most ${formatMegabytes(MAX_IMPORT_BYTES)}.`);
  }
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    throw new ChatError('bad_request', 'That file could not be read.', { cause: error });
  }
  try {
    JSON.parse(text);
  } catch {
    throw new ChatError('bad_request', 'That file is not a chat export: it is not JSON. Choose a .json file made by "Export as JSON".');
  }
  const response = await fetchOrThrow(chatUrl(api, '/conversations/import'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  });
  const parsed = conversationDetailSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ChatError('unknown', 'The server sent an answer this client does not understand.', { cause: parsed.error });
  return parsed.data.conversation;
}

function readText(file: Blob): Promise<string> {
  if (typeof file.text === 'function') return file.text();
  // Older engines (and jsdom) have FileReader but not Blob.text().
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable file'));
    reader.readAsText(file);
  });
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/**
 * The signed-in user's conversations. `userId` is accepted for compatibility with the original
 * API and ignored: the server knows who is signed in.
 */
export function useConversations(_userId?: string, options: UseConversationsOptions = {}): UseConversationsResult {
  const api = options.api ?? DEFAULT_CHAT_API;
  const load = useCallback((signal: AbortSignal) => listConversations(api, signal), [api]);
  const { data, loading, error, refresh, setData, setError } = useFetched<readonly ConversationRecord[]>(load);
  const conversations = data ?? EMPTY;
  const setConversations = useCallback(
    (update: (list: readonly ConversationRecord[]) => readonly ConversationRecord[]) => setData((list) => update(list ?? EMPTY)),
    [setData],
  );

  const createConversation = useCallback(
    async (body: CreateConversationBody = {}) => {
      try {
        const created = await postConversation(api, body);
        setConversations((list) => [created, ...list.filter((c) => c.id !== created.id)]);
        setError(null);
        return created;
      } catch (caught) {
        const chatError = toChatError(caught);
        setError(chatError);
        throw chatError;
      }
    },
    [api, setConversations, setError],
  );

  const renameConversation = useCallback(
    async (id: string, title: string) => {
      let previous: string | undefined;
      setConversations((list) =>
        list.map((c) => {
          if (c.id !== id) return c;
          previous = c.title;
          return { ...c, title };
        }),
      );
      try {
        await patchConversation(api, id, { title });
        setError(null);
        return true;
      } catch (caught) {
        setConversations((list) => list.map((c) => (c.id === id && c.title === title && previous !== undefined ? { ...c, title: previous } : c)));
        setError(toChatError(caught));
        return false;
      }
    },
    [api, setConversations, setError],
  );

  const deleteConversation = useCallback(
    async (id: string) => {
      let removed: { record: ConversationRecord; index: number } | undefined;
      setConversations((list) => {
        const index = list.findIndex((c) => c.id === id);
        const record = list[index];
        if (record) removed = { record, index };
        return list.filter((c) => c.id !== id);
      });
      try {
        await removeConversation(api, id);
        setError(null);
        return true;
      } catch (caught) {
        const back = removed;
        if (back) {
          setConversations((list) =>
            list.some((c) => c.id === id) ? list : [...list.slice(0, back.index), back.record, ...list.slice(back.index)],
          );
        }
        setError(toChatError(caught));
        return false;
      }
    },
    [api, setConversations, setError],
  );

  const exportConversation = useCallback((id: string, format: ExportFormat) => downloadConversationExport(api, id, format), [api]);

  const importConversation = useCallback(
    async (file: Blob) => {
      const imported = await uploadConversationImport(api, file);
      // The server decides where it goes in the list; show it at once, then take the server's order.
      setConversations((list) => [imported, ...list.filter((c) => c.id !== imported.id)]);
      void refresh();
      return imported;
    },
    [api, refresh, setConversations],
  );

  return {
    conversations,
    loading,
    error,
    refresh,
    createConversation,
    renameConversation,
    deleteConversation,
    exportConversation,
    importConversation,
  };
}
