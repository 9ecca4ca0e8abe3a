'use client';

import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useChatConfig } from '../hooks/useChatConfig';
import { useConversations } from '../hooks/useConversations';
import { useRefreshOnChange } from '../hooks/useRefreshOnChange';
import { toChatError } from '../client/http-error';
import type { ConversationRecord } from '../protocol/records';
import { groupConversations } from './conversation-groups';
import { ConversationItem } from './ConversationItem';
import { InstructionsDialog } from './InstructionsDialog';
import { ArchiveIcon, PlusIcon, UploadIcon } from './icons';
import { useTitleWatch } from '../hooks/useTitleWatch';

export interface ConversationListProps {
  /** The conversation shown next to the list, highlighted. */
  activeId?: string | null;
  onSelect: (conversationId: string) => void;
  /** Offers "New chat"; typically clears the chat (`conversationId={null}`). */
  onNew?: () => void;
  /** Called after a conversation was deleted (e.g. to leave it if it was open). */
  onDeleted?: (conversationId: string) => void;
  /** Called after a conversation was archived (e.g. to leave it if it was open). */
  onArchived?: (conversationId: string) => void;
  /** Offers "Import chat" (a JSON export file); called with the new conversation, typically to open it. */
  onImported?: (conversation: ConversationRecord) => void;
  /** Called whenever the list changes (e.g. to title the open chat). */
  onConversationsChange?: (conversations: readonly ConversationRecord[]) => void;
  /** The list fetches again when this changes: pass the open chat's id to show a new chat at once. */
  refreshKey?: string | number | null;
  /**
   * A new chat's first reply ended (ChatInterface's `onFirstReply`): its title, written by a model
   * after the reply, is fetched as it arrives (a few looks over some seconds, then no more).
   */
  awaitTitle?: { conversationId: string; key: number } | null;
  /** Shown beside the "Chats" heading (e.g. a close button when the list is in a dialog). */
  headerAction?: ReactNode;
  /** The heading's id, for a dialog that is named by it. */
  headingId?: string;
  api?: string;
  className?: string;
}

const ACTION_BUTTON =
  'inline-flex flex-1 items-center justify-center gap-2 rounded-md border border-border px-3 py-1.5 text-sm text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-60';
const VIEW_BUTTON =
  'inline-flex items-center gap-2 rounded-md px-2 py-1.5 text-sm text-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring';

/**
 * The user's conversations, grouped by date with the pinned first, more loading as the list
 * scrolls: open, rename, pin, archive (an Archived view restores), export, delete; start or
 * import one.
 */
export function ConversationList({
  activeId = null,
  onSelect,
  onNew,
  onDeleted,
  onArchived,
  onImported,
  onConversationsChange,
  refreshKey,
  awaitTitle = null,
  headerAction,
  headingId,
  api,
  className = '',
}: ConversationListProps) {
  const [view, setView] = useState<'chats' | 'archived'>('chats');
  const archivedView = view === 'archived';
  const {
    conversations,
    loading,
    error,
    refresh,
    hasMore,
    loadingMore,
    loadMore,
    renameConversation,
    deleteConversation,
    pinConversation,
    archiveConversation,
    exportConversation,
    importConversation,
  } = useConversations(undefined, { api, archived: archivedView });
  const { config } = useChatConfig({ api });
  useRefreshOnChange(refreshKey, refresh);
  useTitleWatch(awaitTitle, conversations, refresh);
  const [actionError, setActionError] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [instructionsFor, setInstructionsFor] = useState<ConversationRecord | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const groupId = useId();

  const onChange = useRef(onConversationsChange);
  useEffect(() => {
    onChange.current = onConversationsChange;
  });
  useEffect(() => {
    if (!loading && !archivedView) onChange.current?.(conversations);
  }, [conversations, loading, archivedView]);

  // Paging as the list scrolls: the next page loads when its end comes near.
  useEffect(() => {
    const end = endRef.current;
    if (!end || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore();
      },
      { root: scrollRef.current, rootMargin: '0px 0px 200px 0px' },
    );
    observer.observe(end);
    return () => observer.disconnect();
  }, [hasMore, loadMore, conversations.length]);

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
  const groups = archivedView ? [{ label: 'Archived', conversations: [...conversations] }] : groupConversations(conversations);

  const item = (conversation: ConversationRecord) => (
    <ConversationItem
      key={conversation.id}
      conversation={conversation}
      active={conversation.id === activeId}
      onSelect={() => {
        // A failed import or export is news once: it goes when the person moves on.
        setActionError(null);
        onSelect(conversation.id);
      }}
      onRename={(title) => void renameConversation(conversation.id, title)}
      onPin={(pinned) => void pinConversation(conversation.id, pinned)}
      onArchive={(archived) => {
        void archiveConversation(conversation.id, archived).then((done) => {
          if (done && archived) onArchived?.(conversation.id);
        });
      }}
      onEditInstructions={config?.allowSystemPrompt && !archivedView ? () => setInstructionsFor(conversation) : undefined}
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
  );

  return (
    <nav aria-label="Conversations" className={`flex min-h-0 flex-col gap-2 text-foreground ${className}`}>
      <div className="flex items-center justify-between gap-2 px-2 pt-1">
        <h2 id={headingId} className="text-sm font-semibold text-foreground">
          Chats
        </h2>
        {headerAction}
      </div>
      {archivedView ? (
        <div className="flex px-1">
          <button type="button" onClick={() => setView('chats')} className={VIEW_BUTTON}>
            Back to chats
          </button>
        </div>
      ) : (
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
      )}
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
        <p className="px-2 text-sm text-muted-foreground">{archivedView ? 'No archived chats.' : 'No conversations yet.'}</p>
      ) : (
        <div ref={scrollRef} className="flex min-h-0 flex-1 flex-col gap-3 overflow-y-auto pb-52">
          {groups.map((group, index) => (
            <section key={group.label} aria-labelledby={`${groupId}-${index}`} className="flex flex-col gap-0.5">
              <h3 id={`${groupId}-${index}`} className="px-3 pt-1 text-xs font-medium text-muted-foreground">
                {group.label}
              </h3>
              <ul className="flex flex-col gap-0.5">{group.conversations.map(item)}</ul>
            </section>
          ))}
          <div ref={endRef} aria-hidden="true" className="h-px shrink-0" />
          {hasMore && (
            <button type="button" onClick={() => void loadMore()} disabled={loadingMore} className={`${VIEW_BUTTON} mx-1 w-fit`}>
              {loadingMore ? 'Loading more chats…' : 'More chats'}
            </button>
          )}
        </div>
      )}
      {!archivedView && (
        <div className="flex px-1">
          <button type="button" onClick={() => setView('archived')} className={VIEW_BUTTON}>
            <ArchiveIcon /> Archived chats
          </button>
        </div>
      )}
      {instructionsFor && (
        <InstructionsDialog
          open
          onOpenChange={(open) => {
            if (!open) setInstructionsFor(null);
          }}
          conversation={instructionsFor}
          onSaved={() => void refresh()}
          api={api}
        />
      )}
    </nav>
  );
}
