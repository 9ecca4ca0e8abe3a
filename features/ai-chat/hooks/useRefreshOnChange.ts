'use client';

import { useEffect, useRef } from 'react';

/** Calls `refresh` whenever `key` changes after mount (the first fetch is the hook's own). */
export function useRefreshOnChange(key: unknown, refresh: () => unknown): void {
  const shownKey = useRef(key);
  useEffect(() => {
    if (Object.is(shownKey.current, key)) return;
    shownKey.current = key;
    void refresh();
  }, [key, refresh]);
}
