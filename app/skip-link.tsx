'use client';

import type { ReactNode } from 'react';

/** The page's first focusable element: visible only when focused, it moves focus to `targetId`. */
export function SkipLink({ targetId, children }: { targetId: string; children: ReactNode }) {
  return (
    <a
      href={`#${targetId}`}
      onClick={(event) => {
        const target = document.getElementById(targetId);
        if (!target) return;
        event.preventDefault();
        target.focus();
      }}
      // Off screen until focused (not display:none, so it stays the first stop of Tab).
      className="fixed top-2 left-2 z-50 -translate-y-24 rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white shadow-lg focus:translate-y-0 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700"
    >
      {children}
    </a>
  );
}
