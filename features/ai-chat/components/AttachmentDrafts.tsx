'use client';

import { useLayoutEffect, useRef } from 'react';
import type { AttachmentDraft } from '../hooks/useAttachmentDrafts';
import { CloseIcon, FileTextIcon } from './icons';

export interface AttachmentDraftsProps {
  drafts: readonly AttachmentDraft[];
  onRemove: (key: string) => void;
  /** The last file was removed: focus goes back to the message box. */
  onEmptied: () => void;
}

/**
 * The files picked for the next message: thumbnail or named chip, upload progress, remove.
 * Removing one moves focus to the next file's remove button, else the previous one, else
 * `onEmptied`: never to the page body.
 */
export function AttachmentDrafts({ drafts, onRemove, onEmptied }: AttachmentDraftsProps) {
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  /** Where focus goes once a removal has rendered: a draft's key, or null for the message box. */
  const focusNext = useRef<string | null | undefined>(undefined);
  useLayoutEffect(() => {
    const target = focusNext.current;
    if (target === undefined) return;
    focusNext.current = undefined;
    const button = target === null ? undefined : buttons.current.get(target);
    if (button) button.focus();
    else onEmptied();
  });

  const remove = (index: number) => {
    focusNext.current = drafts[index + 1]?.key ?? drafts[index - 1]?.key ?? null;
    onRemove(drafts[index]!.key);
  };

  if (drafts.length === 0) return null;
  return (
    <ul aria-label="Files to send" className="flex flex-wrap gap-2 px-1 pt-1">
      {drafts.map((draft, index) => (
        <li
          key={draft.key}
          className={`relative flex items-center gap-2 rounded-lg border bg-muted p-1.5 pr-8 text-xs text-foreground ${
            draft.status === 'failed' ? 'border-destructive' : 'border-border'
          }`}
        >
          {/* A refused file's bytes may be no image at all: a file icon, not a broken image. */}
          {draft.previewUrl && draft.status !== 'failed' ? (
            // eslint-disable-next-line @next/next/no-img-element -- an object URL of a local file
            <img src={draft.previewUrl} alt={draft.name} className="size-12 rounded-sm object-cover" />
          ) : (
            <span className="inline-flex size-8 items-center justify-center text-muted-foreground">
              <FileTextIcon />
            </span>
          )}
          <span className="flex min-w-0 flex-col gap-1">
            <span className="max-w-40 truncate">{draft.name}</span>
            {draft.status === 'uploading' && (
              <span
                role="progressbar"
                aria-label={`Uploading ${draft.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(draft.progress * 100)}
                className="h-1 w-24 overflow-hidden rounded-full bg-muted"
              >
                <span className="block h-full bg-primary" style={{ width: `${Math.round(draft.progress * 100)}%` }} />
              </span>
            )}
            {draft.status === 'failed' && <span className="text-destructive">Not uploaded</span>}
          </span>
          <button
            type="button"
            ref={(button) => {
              if (button) buttons.current.set(draft.key, button);
              else buttons.current.delete(draft.key);
            }}
            onClick={() => remove(index)}
            aria-label={`Remove ${draft.name}`}
            title="Remove"
            className="absolute top-1 right-1 inline-flex size-6 items-center justify-center rounded-full text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
          >
            <CloseIcon />
          </button>
        </li>
      ))}
    </ul>
  );
}
