'use client';

import { useSyncExternalStore } from 'react';
import { KEYBOARD_SHORTCUTS, modifierLabel } from './keyboard-shortcuts';
import { ModalDialog } from './ModalDialog';

const noChanges = () => () => {};

/** The keyboard shortcuts, listed (Ctrl/⌘ + / opens it; Esc closes it). */
export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const mod = useSyncExternalStore(noChanges, modifierLabel, () => 'Ctrl');
  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title="Keyboard shortcuts">
      <dl className="grid grid-cols-[1fr_auto] gap-x-6 gap-y-2 text-sm">
        {KEYBOARD_SHORTCUTS.map(({ keys, label }) => (
          <div key={label} className="contents">
            <dt>{label}</dt>
            <dd className="flex justify-end gap-1">
              {keys.map((key) => (
                <kbd key={key} className="rounded border border-border bg-muted px-1.5 py-0.5 font-mono text-xs text-foreground">
                  {key === 'Mod' ? mod : key}
                </kbd>
              ))}
            </dd>
          </div>
        ))}
      </dl>
    </ModalDialog>
  );
}
