'use client';

import type { ChatError } from '../protocol/errors';

export interface ChatErrorBannerProps {
  error: ChatError;
  onRetry?: () => void;
  onDismiss?: () => void;
}

const NO_RETRY = new Set(['unauthorized', 'forbidden', 'not_found', 'payload_too_large', 'bad_request', 'not_configured']);

/** What went wrong, in words a user can act on, with Retry where retrying can help. */
export function ChatErrorBanner({ error, onRetry, onDismiss }: ChatErrorBannerProps) {
  const retryable = onRetry && !NO_RETRY.has(error.code);
  const wait = error.retryAfterSeconds ? ` Try again in ${Math.ceil(error.retryAfterSeconds)} s.` : '';
  return (
    <div
      role="alert"
      className="mx-auto flex w-full max-w-3xl items-center gap-3 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <p className="flex-1">
        {error.message}
        {wait}
      </p>
      {retryable && (
        <button
          type="button"
          onClick={onRetry}
          className="rounded-md bg-red-600 px-3 py-1 text-white hover:bg-red-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-500"
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
