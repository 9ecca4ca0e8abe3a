'use client';

import { useEffect, useRef } from 'react';

/**
 * Stands in for the module's SearchDialog (issue 20, point 2, built on another branch) until the
 * two are merged: the same props, a modal named "Search chats". Delete it at the merge.
 */
export function SearchPlaceholder({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (open && dialog && !dialog.open) dialog.showModal();
    if (!open && dialog?.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-label="Search chats"
      onClose={() => onOpenChange(false)}
      className="m-auto w-[min(92vw,32rem)] rounded-xl border border-border bg-popover p-5 text-popover-foreground backdrop:bg-black/50"
    >
      {open && <p className="text-sm">Search arrives with the search feature.</p>}
    </dialog>
  );
}
