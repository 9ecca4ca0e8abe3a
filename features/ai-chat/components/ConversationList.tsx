'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useConversations } from '../hooks/useConversations';
import { useRefreshOnChange } from '../hooks/useRefreshOnChange';
import { toChatError } from '../client/http-error';
import type { ConversationRecord } from '../protocol/records';
import { ConversationItem } from './ConversationItem';
import { PlusIcon, UploadIcon } from './icons';

export interface ConversationListProps {
  /** The conversation shown next to the list, highlighted. */
  activeId?: string | null;
  onSelect: (conversationId: string) => void;
  /** Offers "New chat"; typically clears the chat (`conversationId={null}`). */
  onNew?: () => void;
  /** Called after a conversation was deleted (e.g. to leave it if it was open). */
  onDeleted?: (conversationId: string) => void;
  /** Offers "Import chat" (a JSON export file); called with the new conversation, typically to open it. */
  onImported?: (conversation: ConversationRecord) => void;
  /** Called whenever the list changes (e.g. to title the open chat). */
  onConversationsChange?: (conversations: readonly ConversationRecord[]) => void;
  /** The list fetches again when this changes: pass the open chat's id to show a new chat at once. */
  refreshKey?: string | number | null;
  /** Shown beside the "Chats" heading (e.g. a close button when the list is in a dialog). */
  headerAction?: ReactNode;
  /** The heading's id, for a dialog that is named by it. */
  headingId?: string;
  api?: string;
  className?: string;
}

const ACTION_BUTTON =
  'inline-flex flex-1 items-center justify-center gap-2 rounded-md border border-input px-3 py-1.5 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-60';

/** The user's conversations in the server's order: open, rename, export, delete; start or import one. */
export function ConversationList({
  activeId = null,
  onSelect,
  onNew,
  onDeleted,
  onImported,
  onConversationsChange,
  refreshKey,
  headerAction,
  headingId,
  api,
  className = '',
}: ConversationListProps) {
  const { conversations, loading, error, refresh, renameConversation, deleteConversation, exportConversation, importConversation } =
    useConversations(undefined, { api });
  useRefreshOnChange(refreshKey, refresh);
  const [actionError, setActionError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);

  const onChange = useRef(onConversationsChange);
  useEffect(() => {
    onChange.current = onConversationsChange;
  });
  useEffect(() => {
    if (!loading) onChange.current?.(conversations);
  }, [conversations, loading]);

  const importFile = async (file: File) => {
    setActionError(null);
    setImporting(true);
    try {
      const imported = await importConversation(file);
      onImported?.(imported);
    } catch (caught) {
      setActionError(`Could not import “${file.name}”: ${toChatError(caught).message}`);
    } finally {
      setImporting(false);
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  const shownError = actionError ?? error?.message ?? null;

  return (
    <nav aria-label="Conversations" className={`flex min-h-0 flex-col gap-2 text-foreground ${className}`}>
      <div className="flex items-center justify-between gap-2 px-2 pt-1">
        <h2 id={headingId} className="text-sm font-semibold text-foreground">
          Chats
        </h2>
        {headerAction}
      </div>
      <div className="flex gap-2 px-1">
        {onNew && (
          <button
            type="button"
            onClick={() => {
              setActionError(null);
              onNew();
            }}
            className={ACTION_BUTTON}
          >
            <PlusIcon /> New chat
          </button>
        )}
        {onImported && (
          <>
            <button type="button" onClick={() => fileRef.current?.click()} disabled={importing} className={ACTION_BUTTON}>
              <UploadIcon /> {importing ? 'Importing…' : 'Import chat'}
            </button>
            <input
              ref={fileRef}
              type="file"
              accept=".json,application/json"
              aria-label="Import chat file"
              tabIndex={-1}
              className="sr-only"
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void importFile(file);
              }}
            />
          </>
        )}
      </div>
      {shownError && (
        <div role="alert" className="flex items-start gap-1 px-2 text-xs text-destructive">
          <p className="min-w-0 flex-1">{shownError}</p>
          {actionError && (
            // A failed import or export is news once: the person clears it, or it goes when they move on.
            <button type="button" onClick={() => setActionError(null)} aria-label="Dismiss" className="shrink-0 rounded px-1 hover:underline">
              ✕
            </button>
          )}
        </div>
      )}
      {loading && conversations.length === 0 ? (
        <p className="px-2 text-sm text-muted-foreground" role="status">
          Loading conversations…
        </p>
      ) : conversations.length === 0 ? (
        <p className="px-2 text-sm text-muted-foreground">No conversations yet.</p>
      ) : (
        <ul className="flex min-h-0 flex-1 flex-col gap-0.5 overflow-y-auto pb-52">
          {conversations.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              active={conversation.id === activeId}
              onSelect={() => {
                setActionError(null);
                onSelect(conversation.id);
              }}
              onRename={(title) => void renameConversation(conversation.id, title)}
              onExport={(format) => {
                setActionError(null);
                exportConversation(conversation.id, format).catch((caught: unknown) => {
                  setActionError(`Could not export “${conversation.title}”: ${toChatError(caught).message}`);
                });
              }}
              onDelete={() => {
                void deleteConversation(conversation.id).then((deleted) => {
                  if (deleted) onDeleted?.(conversation.id);
                });
              }}
            />
          ))}
        </ul>
      )}
    </nav>
  );
}
