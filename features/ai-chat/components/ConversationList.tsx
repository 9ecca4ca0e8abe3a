'use client';

import { useConversations } from '../hooks/useConversations';
import { ConversationItem } from './ConversationItem';
import { PlusIcon } from './icons';
import { useRefreshOnChange } from '../hooks/useRefreshOnChange';

export interface ConversationListProps {
  /** The conversation shown next to the list, highlighted. */
  activeId?: string | null;
  onSelect: (conversationId: string) => void;
  /** Offers "New chat"; typically clears the chat (`conversationId={null}`). */
  onNew?: () => void;
  /** Called after a conversation was deleted (e.g. to leave it if it was open). */
  onDeleted?: (conversationId: string) => void;
  /** The list fetches again when this changes: pass the open chat's id to show a new chat at once. */
  refreshKey?: string | number | null;
  api?: string;
  className?: string;
}

/** The user's conversations, newest first: open, rename, delete, start a new one. */
export function ConversationList({ activeId = null, onSelect, onNew, onDeleted, refreshKey, api, className = '' }: ConversationListProps) {
  const { conversations, loading, error, refresh, renameConversation, deleteConversation } = useConversations(undefined, { api });
  useRefreshOnChange(refreshKey, refresh);

  return (
    <nav aria-label="Conversations" className={`flex min-h-0 flex-col gap-2 text-zinc-900 dark:text-zinc-100 ${className}`}>
      {onNew && (
        <button
          type="button"
          onClick={onNew}
          className="mx-1 inline-flex items-center gap-2 rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-500 dark:border-zinc-700 dark:hover:bg-zinc-900"
        >
          <PlusIcon /> New chat
        </button>
      )}
      {error && (
        <p role="alert" className="px-2 text-xs text-red-600 dark:text-red-400">
          {error.message}
        </p>
      )}
      {loading && conversations.length === 0 ? (
        <p className="px-2 text-sm text-zinc-500" role="status">
          Loading conversations…
        </p>
      ) : conversations.length === 0 ? (
        <p className="px-2 text-sm text-zinc-500">No conversations yet.</p>
      ) : (
        <ul className="flex flex-col gap-0.5 overflow-y-auto">
          {conversations.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              active={conversation.id === activeId}
              onSelect={() => onSelect(conversation.id)}
              onRename={(title) => void renameConversation(conversation.id, title)}
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
