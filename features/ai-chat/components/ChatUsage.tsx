'use client';

import { useTokenUsage } from '../hooks/useTokenUsage';
import { UsageMeter } from './UsageMeter';
import { useRefreshOnChange } from '../hooks/useRefreshOnChange';

/** UsageMeter fed by GET /api/chat/usage, fetched again whenever `refreshKey` changes. */
export function ChatUsage({ api, refreshKey, className }: { api?: string; refreshKey: number; className?: string }) {
  const usage = useTokenUsage(undefined, { api });
  useRefreshOnChange(refreshKey, usage.refresh);
  return <UsageMeter usage={usage} className={className} />;
}
