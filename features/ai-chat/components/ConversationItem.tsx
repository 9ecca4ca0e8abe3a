'use client';

import { useEffect, useRef, useState } from 'react';
import type { ExportFormat } from '../protocol/export';
import type { ConversationRecord } from '../protocol/records';
import { ConversationMenu } from './ConversationMenu';
import { PinIcon } from './icons';

export interface ConversationItemProps {
  conversation: ConversationRecord;
  active: boolean;
  onSelect: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
  /** Offers "Export as Markdown" and "Export as JSON" in the menu. */
  onExport?: (format: ExportFormat) => void;
  /** Offers "Pin" or "Unpin" in the menu (not in the Archived view). */
  onPin?: (pinned: boolean) => void;
  /** Offers "Archive", or "Restore" for an archived chat. */
  onArchive?: (archived: boolean) => void;
  /** Offers "Instructions…": the chat's own system prompt (where the server allows it). */
  onEditInstructions?: () => void;
}

/** One conversation in the list: open it; its menu renames it in place, exports it, deletes it (asking once more). */
export function ConversationItem({
  conversation,
  active,
  onSelect,
  onRename,
  onDelete,
  onExport,
  onPin,
  onArchive,
  onEditInstructions,
}: ConversationItemProps) {
  const archived = Boolean(conversation.archivedAt);
  const pinned = Boolean(conversation.pinnedAt);
  const [mode, setMode] = useState<'idle' | 'renaming' | 'confirming'>('idle');
  const [title, setTitle] = useState(conversation.title);
  const rowRef = useRef<HTMLLIElement>(null);
  const returnFocus = useRef(false);
  const renaming = useRef(false);

  // After renaming or declining a delete, focus goes back to the row's options button, not to the page.
  useEffect(() => {
    if (mode !== 'idle' || !returnFocus.current) return;
    returnFocus.current = false;
    rowRef.current?.querySelector<HTMLElement>('[aria-haspopup="menu"]')?.focus();
  }, [mode]);

  const finish = () => {
    returnFocus.current = true;
    setMode('idle');
  };

  if (mode === 'renaming') {
    // Enter, Esc and leaving the field all end the rename; only the first of them counts.
    const end = (save: boolean, focusBack: boolean) => {
      if (!renaming.current) return;
      renaming.current = false;
      returnFocus.current = focusBack;
      setMode('idle');
      const trimmed = title.trim();
      if (save && trimmed !== '' && trimmed !== conversation.title) onRename(trimmed);
    };
    return (
      <li ref={rowRef} className="px-1">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            end(true, true);
          }}
        >
          <input
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            onBlur={() => end(true, false)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                end(false, true);
              }
            }}
            maxLength={200}
            aria-label="Conversation title"
            autoFocus
            className="w-full rounded-md border border-ring bg-background px-2 py-1.5 text-sm text-foreground outline-none"
          />
        </form>
      </li>
    );
  }

  if (mode === 'confirming') {
    return (
      <li ref={rowRef} className="flex flex-col gap-1 rounded-md border border-destructive/50 p-2 text-sm" role="group" aria-label={`Delete ${conversation.title}?`}>
        <p className="truncate text-foreground">Delete “{conversation.title}”?</p>
        <div className="flex gap-2">
          <button
            type="button"
            onClick={() => {
              setMode('idle');
              onDelete();
            }}
            className="rounded-md border border-destructive/50 bg-background px-2 py-1 text-xs text-destructive hover:bg-destructive/10 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            autoFocus
            // The title is in the question above; the button stays one short word, its name says which chat.
            aria-label={`Delete “${conversation.title}”`}
          >
            Delete
          </button>
          <button
            type="button"
            onClick={finish}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                finish();
              }
            }}
            className="rounded-md px-2 py-1 text-xs text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
          >
            Keep
          </button>
        </div>
      </li>
    );
  }

  return (
    <li ref={rowRef} className="flex items-center gap-1 px-1">
      <button
        type="button"
        onClick={onSelect}
        aria-current={active ? 'page' : undefined}
        className={`min-w-0 flex-1 truncate rounded-md px-2 py-1.5 text-left text-sm focus-visible:outline-2 focus-visible:outline-ring ${
          active ? 'bg-accent font-medium text-accent-foreground' : 'hover:bg-accent'
        }`}
      >
        {conversation.title}
      </button>
      {pinned && !archived && (
        <span className="shrink-0 text-muted-foreground" title="Pinned">
          <PinIcon />
        </span>
      )}
      <ConversationMenu
        title={conversation.title}
        actions={[
          {
            label: 'Rename',
            onSelect: () => {
              setTitle(conversation.title);
              renaming.current = true;
              setMode('renaming');
            },
          },
          ...(onPin && !archived ? [{ label: pinned ? 'Unpin' : 'Pin', onSelect: () => onPin(!pinned) }] : []),
          ...(onEditInstructions ? [{ label: 'Instructions…', onSelect: onEditInstructions }] : []),
          ...(onExport
            ? [
                { label: 'Export as Markdown', onSelect: () => onExport('markdown') },
                { label: 'Export as JSON', onSelect: () => onExport('json') },
              ]
            : []),
          ...(onArchive ? [{ label: archived ? 'Restore' : 'Archive', onSelect: () => onArchive(!archived) }] : []),
          { label: 'Delete', destructive: true, onSelect: () => setMode('confirming') },
        ]}
      />
    </li>
  );
}
