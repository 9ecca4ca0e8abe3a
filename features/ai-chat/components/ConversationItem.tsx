'use client';

import { useEffect, useRef, useState } from 'react';
import type { ExportFormat } from '../protocol/export';
import type { ConversationRecord } from '../protocol/records';
import { ConversationMenu } from './ConversationMenu';

export interface ConversationItemProps {
  conversation: ConversationRecord;
  active: boolean;
  onSelect: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
  /** Offers "Export as Markdown" and "Export as JSON" in the menu. */
  onExport?: (format: ExportFormat) => void;
}

/** One conversation in the list: open it; its menu renames it in place, exports it, deletes it (asking once more). */
export function ConversationItem({ conversation, active, onSelect, onRename, onDelete, onExport }: ConversationItemProps) {
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
            className="w-full rounded-md border border-blue-600 bg-white px-2 py-1.5 text-sm text-zinc-900 outline-none dark:border-blue-400 dark:bg-zinc-900 dark:text-zinc-100"
          />
        </form>
      </li>
    );
  }

  if (mode === 'confirming') {
    return (
      <li ref={rowRef} className="flex flex-col gap-1 rounded-md border border-red-300 p-2 text-sm dark:border-red-800" role="group" aria-label={`Delete ${conversation.title}?`}>
        <p className="truncate text-zinc-900 dark:text-zinc-100">Delete “{conversation.title}”?</p>
        <div className="flex gap-2">
          <button
            type="button"
            onClick={() => {
              setMode('idle');
              onDelete();
            }}
            className="rounded-md bg-red-700 px-2 py-1 text-xs text-white hover:bg-red-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600"
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
            className="rounded-md px-2 py-1 text-xs text-zinc-800 hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-200 dark:hover:bg-zinc-800"
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
        className={`min-w-0 flex-1 truncate rounded-md px-2 py-1.5 text-left text-sm focus-visible:outline-2 focus-visible:outline-blue-600 ${
          active ? 'bg-zinc-200 font-medium dark:bg-zinc-800' : 'hover:bg-zinc-200/70 dark:hover:bg-zinc-800/70'
        }`}
      >
        {conversation.title}
      </button>
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
          ...(onExport
            ? [
                { label: 'Export as Markdown', onSelect: () => onExport('markdown') },
                { label: 'Export as JSON', onSelect: () => onExport('json') },
              ]
            : []),
          { label: 'Delete', destructive: true, onSelect: () => setMode('confirming') },
        ]}
      />
    </li>
  );
}
