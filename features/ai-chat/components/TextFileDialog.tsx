'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { CloseIcon } from './icons';

export interface TextFileDialogProps {
  /** The file's route (GET {api}/attachments/:id), answered as UTF-8 text/plain. */
  src: string;
  name: string;
  onClose: () => void;
}

/** The most shown at once: a preview, not an editor; the rest is a download away. */
const PREVIEW_CHARS = 200_000;

/**
 * A text file's contents in a modal dialog, as plain text (never rendered as Markdown or HTML).
 * Esc, the close button or a click outside close it; focus moves in and back as ImageDialog's.
 */
export function TextFileDialog({ src, name, onClose }: TextFileDialogProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const [text, setText] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    fetch(src, { signal: controller.signal })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
      .then(setText, () => !controller.signal.aborted && setFailed(true));
    return () => controller.abort();
  }, [src]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
  };
  const cut = text !== null && text.length > PREVIEW_CHARS;

  return createPortal(
    <div
      role="dialog"
      aria-modal="true"
      aria-label={name}
      onKeyDown={onKeyDown}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/70 p-4"
    >
      <div className="flex max-h-full w-full max-w-3xl flex-col overflow-hidden rounded-lg bg-background shadow-xl">
        <div className="flex items-center gap-2 border-b border-border px-4 py-2">
          <h2 className="min-w-0 flex-1 truncate text-sm font-medium text-foreground">{name}</h2>
          <a href={src} download={name} className="text-sm text-primary underline">
            Download
          </a>
          <button
            ref={closeRef}
            type="button"
            onClick={onClose}
            aria-label="Close preview"
            className="inline-flex size-8 items-center justify-center rounded-full text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
          >
            <CloseIcon />
          </button>
        </div>
        <pre
          tabIndex={0}
          aria-label={`Contents of ${name}`}
          className="min-h-24 overflow-auto p-4 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap text-foreground"
        >
          {failed ? 'This file could not be loaded.' : text === null ? 'Loading…' : cut ? `${text.slice(0, PREVIEW_CHARS)}\n…` : text}
        </pre>
      </div>
    </div>,
    document.body,
  );
}
