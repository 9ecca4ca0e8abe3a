'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import { CloseIcon } from './icons';

interface ChatsDialogProps {
  open: boolean;
  onClose: () => void;
  /** The dialog's content, given its close button and the id its heading must carry. */
  children: (closeButton: ReactNode, headingId: string) => ReactNode;
}

/**
 * The conversation list on a phone: a modal <dialog> sliding in from the left. The browser traps
 * focus in it, makes the page behind inert, closes it on Esc and gives focus back to the opener.
 */
export function ChatsDialog({ open, onClose, children }: ChatsDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // Widening the window past the phone layout shows the sidebar: the dialog is not needed.
  useEffect(() => {
    if (!open) return;
    const wide = window.matchMedia('(min-width: 48rem)');
    const onChange = () => {
      if (wide.matches) onClose();
    };
    wide.addEventListener('change', onChange);
    return () => wide.removeEventListener('change', onChange);
  }, [open, onClose]);

  const closeButton = (
    <button
      type="button"
      aria-label="Close chats"
      onClick={onClose}
      className="inline-flex size-9 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-200 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      <CloseIcon />
    </button>
  );

  return (
    <dialog
      ref={ref}
      aria-labelledby={headingId}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop lands on the dialog element itself.
        if (event.target === event.currentTarget) onClose();
      }}
      className="m-0 h-dvh max-h-none w-[85vw] max-w-80 flex-col border-r border-zinc-200 bg-zinc-50 p-0 text-zinc-900 open:flex backdrop:bg-black/50 md:hidden dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {open ? children(closeButton, headingId) : null}
    </dialog>
  );
}
