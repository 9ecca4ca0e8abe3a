'use client';

import { useEffect, useRef } from 'react';

/** What a page-wide shortcut does. */
export type ShortcutAction = 'search' | 'new-chat' | 'shortcuts';

/** The shortcuts, as the shortcuts dialog lists them. `Mod` is ⌘ on a Mac, Ctrl elsewhere. */
export const KEYBOARD_SHORTCUTS: readonly { keys: readonly string[]; label: string }[] = [
  { keys: ['Mod', 'K'], label: 'Search chats' },
  { keys: ['Mod', 'Shift', 'O'], label: 'New chat' },
  { keys: ['Mod', '/'], label: 'Show keyboard shortcuts' },
  { keys: ['↑'], label: 'Edit your last message (in an empty message box)' },
  { keys: ['Enter'], label: 'Send the message' },
  { keys: ['Shift', 'Enter'], label: 'New line in the message' },
  { keys: ['Esc'], label: 'Close a dialog or menu; stop a reply' },
];

/**
 * The page-wide shortcut a key press is, if any. Only Ctrl/⌘ combinations: a plain key is never
 * taken (a screen reader's browse mode and a focused field keep every one of theirs), nor one
 * with Alt (AltGr on many keyboards), nor a press something else already handled.
 */
export function shortcutOf(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'isComposing' | 'defaultPrevented'>): ShortcutAction | null {
  if (event.defaultPrevented || event.isComposing || event.altKey) return null;
  // One of Ctrl or ⌘, not both: Ctrl+⌘ combinations are the system's on a Mac.
  if (event.ctrlKey === event.metaKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'k' && !event.shiftKey) return 'search';
  if (key === 'o' && event.shiftKey) return 'new-chat';
  if (key === '/' && !event.shiftKey) return 'shortcuts';
  return null;
}

/** Binds the page-wide shortcuts while mounted; a handler left out leaves its keys alone. */
export function useKeyboardShortcuts(handlers: Partial<Record<ShortcutAction, () => void>>, enabled = true): void {
  const current = useRef(handlers);
  useEffect(() => {
    current.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      const action = shortcutOf(event);
      const handler = action ? current.current[action] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}

/** ⌘ on Apple platforms, Ctrl elsewhere, for showing `Mod`. */
export function modifierLabel(): string {
  if (typeof navigator === 'undefined') return 'Ctrl';
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? '⌘' : 'Ctrl';
}
