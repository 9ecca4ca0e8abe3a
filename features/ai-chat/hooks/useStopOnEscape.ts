'use client';

import { useEffect } from 'react';

// Esc in these belongs to them (closing a menu, a dialog, a picker), not to the reply.
const OWNS_ESCAPE = 'dialog, [role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"], select';

/**
 * While `active`, Esc anywhere on the page calls `stop`, unless something handled it first
 * (preventDefault) or focus is in a menu, dialog or picker, whose Esc closes that instead.
 */
export function useStopOnEscape(active: boolean, stop: () => void): void {
  useEffect(() => {
    if (!active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest(OWNS_ESCAPE)) return;
      stop();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [active, stop]);
}
