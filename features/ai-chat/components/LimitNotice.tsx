'use client';

import type { UsageExhaustion } from './usage-exhaustion';

/**
 * The user is over a usage limit: said as plainly as an error, above the message box, with when
 * writing opens again in their own clock as well as the limit's words.
 */
export function LimitNotice({ exhaustion }: { exhaustion: UsageExhaustion }) {
  const local = exhaustion.resetsAt.toLocaleString(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  return (
    <div
      role="alert"
      aria-labelledby="ai-chat-limit-title"
      className="mx-auto flex w-full max-w-3xl flex-col gap-1 rounded-lg border border-destructive/50 bg-card px-3 py-2 text-sm text-destructive"
    >
      <p id="ai-chat-limit-title" className="font-semibold">
        Usage limit reached
      </p>
      <p>{exhaustion.message}</p>
      <p>
        Resets{' '}
        <time dateTime={exhaustion.resetsAt.toISOString()} suppressHydrationWarning>
          {local}
        </time>{' '}
        your time.
      </p>
    </div>
  );
}
