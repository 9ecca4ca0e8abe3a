'use client';

import { useEffect, useRef } from 'react';
import { useTokenUsage } from '../hooks/useTokenUsage';
import { UsageMeter } from './UsageMeter';

/** UsageMeter fed by GET /api/chat/usage, fetched again whenever `refreshKey` changes. */
export function ChatUsage({ api, refreshKey, className }: { api?: string; refreshKey: number; className?: string }) {
  const usage = useTokenUsage(undefined, { api });
  const { refresh } = usage;
  const shownKey = useRef(refreshKey);
  useEffect(() => {
    if (shownKey.current === refreshKey) return;
    shownKey.current = refreshKey;
    void refresh();
  }, [refreshKey, refresh]);
  return <UsageMeter usage={usage} className={className} />;
}
