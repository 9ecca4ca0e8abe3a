'use client';

import { useState } from 'react';
import type { ConversationRecord } from '../protocol/records';
import { EditIcon, TrashIcon } from './icons';

export interface ConversationItemProps {
  conversation: ConversationRecord;
  active: boolean;
  onSelect: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
}

const ICON_BUTTON =
  'inline-flex size-7 shrink-0 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100';

/** One conversation in the list: open it, rename it in place, delete it (asks once more first). */
export function ConversationItem({ conversation, active, onSelect, onRename, onDelete }: ConversationItemProps) {
  const [mode, setMode] = useState<'idle' | 'renaming' | 'confirming'>('idle');
  const [title, setTitle] = useState(conversation.title);

  if (mode === 'renaming') {
    const save = () => {
      setMode('idle');
      const trimmed = title.trim();
      if (trimmed !== '' && trimmed !== conversation.title) onRename(trimmed);
    };
    return (
      <li className="px-1">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
        >
          <input
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            onBlur={save}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.stopPropagation();
                setTitle(conversation.title);
                setMode('idle');
              }
            }}
            maxLength={200}
            aria-label="Conversation title"
            autoFocus
            className="w-full rounded-md border border-blue-500 bg-white px-2 py-1 text-sm text-zinc-900 outline-none dark:bg-zinc-900 dark:text-zinc-100"
          />
        </form>
      </li>
    );
  }

  return (
    <li className="group flex items-center gap-1 px-1">
      <button
        type="button"
        onClick={onSelect}
        aria-current={active ? 'page' : undefined}
        className={`min-w-0 flex-1 truncate rounded-md px-2 py-1.5 text-left text-sm focus-visible:outline-2 focus-visible:outline-blue-500 ${
          active ? 'bg-zinc-200 font-medium dark:bg-zinc-800' : 'hover:bg-zinc-100 dark:hover:bg-zinc-900'
        }`}
      >
        {conversation.title}
      </button>
      {mode === 'confirming' ? (
        <>
          <button
            type="button"
            onClick={() => {
              setMode('idle');
              onDelete();
            }}
            className="rounded-md bg-red-600 px-2 py-1 text-xs text-white hover:bg-red-500 focus-visible:outline-2 focus-visible:outline-red-500"
            autoFocus
          >
            Delete “{conversation.title}”
          </button>
          <button type="button" onClick={() => setMode('idle')} className="rounded-md px-2 py-1 text-xs hover:bg-zinc-100 dark:hover:bg-zinc-800">
            Keep
          </button>
        </>
      ) : (
        <>
          <button
            type="button"
            className={ICON_BUTTON}
            aria-label={`Rename “${conversation.title}”`}
            onClick={() => {
              setTitle(conversation.title);
              setMode('renaming');
            }}
          >
            <EditIcon />
          </button>
          <button type="button" className={ICON_BUTTON} aria-label={`Delete “${conversation.title}”`} onClick={() => setMode('confirming')}>
            <TrashIcon />
          </button>
        </>
      )}
    </li>
  );
}
