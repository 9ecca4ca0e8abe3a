'use client';

import { canRetry } from '../client/http-error';
import { formatDuration, formatResetsAt } from './format';
import type { ChatError } from '../protocol/errors';

export interface ChatErrorBannerProps {
  error: ChatError;
  onRetry?: () => void;
  onDismiss?: () => void;
}

/**
 * What went wrong, in the server's words, with Retry only where retrying can help. A usage
 * limit's message is already complete; for other errors a wait is added in words.
 */
export function ChatErrorBanner({ error, onRetry, onDismiss }: ChatErrorBannerProps) {
  const retryable = onRetry !== undefined && canRetry(error);
  return (
    <div
      role="alert"
      className="mx-auto flex w-full max-w-3xl items-center gap-3 rounded-lg border border-destructive/50 bg-card px-3 py-2 text-sm text-destructive"
    >
      <p className="flex-1">
        {error.message}
        {whenToRetry(error, retryable)}
      </p>
      {retryable && (
        <button
          type="button"
          onClick={onRetry}
          className="rounded-md border border-destructive/50 bg-background px-3 py-1 text-destructive hover:bg-destructive/10 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
        >
          Retry
        </button>
      )}
      {onDismiss && (
        <button
          type="button"
          onClick={onDismiss}
          aria-label="Dismiss error"
          className="rounded-md px-2 py-1 hover:bg-destructive/10 focus-visible:outline-2 focus-visible:outline-ring"
        >
          ✕
        </button>
      )}
    </div>
  );
}

function whenToRetry(error: ChatError, retryable: boolean): string {
  const resetsAt = (error as { resetsAt?: unknown }).resetsAt;
  // A server that words its limits says when they reset; an older one gets it said here.
  if (typeof resetsAt === 'string' && !/reset/i.test(error.message)) {
    const words = formatResetsAt(new Date(resetsAt));
    return words ? ` The limit ${words}.` : '';
  }
  if (error.code === 'usage_limit' || !retryable || !error.retryAfterSeconds) return '';
  return ` Try again in ${formatDuration(error.retryAfterSeconds)}.`;
}
