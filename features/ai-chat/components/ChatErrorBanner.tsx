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
      className="mx-auto flex w-full max-w-3xl items-center gap-3 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <p className="flex-1">
        {error.message}
        {whenToRetry(error, retryable)}
      </p>
      {retryable && (
        <button
          type="button"
          onClick={onRetry}
          className="rounded-md bg-red-700 px-3 py-1 text-white hover:bg-red-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-500"
        >
          Retry
        </button>
      )}
      {onDismiss && (
        <button
          type="button"
          onClick={onDismiss}
          aria-label="Dismiss error"
          className="rounded-md px-2 py-1 hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-red-500 dark:hover:bg-red-900"
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
