'use client';

import { useEffect, useState } from 'react';
import type { ReplyRetrying } from '../client/chat-message-view';
import { formatDuration } from './format';
import { Markdown } from './Markdown';

export interface StreamingMessageProps {
  /** The reply so far. */
  content: string;
  isComplete: boolean;
  /** The provider is backing off before the first token: said instead of the typing dots. */
  retrying?: ReplyRetrying | null;
  className?: string;
}

/** A reply as it streams: markdown re-parsed block by block, a caret until it is complete. */
export function StreamingMessage({ content, isComplete, retrying = null, className = '' }: StreamingMessageProps) {
  const waiting = content === '' && !isComplete;
  return (
    // aria-busy: screen readers wait for the finished reply instead of reading every fragment.
    <div aria-busy={!isComplete} className={className}>
      {waiting && retrying ? (
        <RetryingNote retrying={retrying} />
      ) : waiting ? (
        <span className="inline-flex gap-1 py-2" role="status" aria-label="Assistant is writing">
          {[0, 1, 2].map((dot) => (
            <span
              key={dot}
              className="size-1.5 animate-bounce rounded-full bg-muted-foreground motion-reduce:animate-none"
              style={{ animationDelay: `${dot * 150}ms` }}
            />
          ))}
        </span>
      ) : (
        <Markdown content={content} />
      )}
      {!isComplete && content !== '' && (
        <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-muted-foreground align-text-bottom motion-reduce:animate-none" />
      )}
    </div>
  );
}

/** "The provider is busy; retrying in 20 s…", counting down each second. */
function RetryingNote({ retrying }: { retrying: ReplyRetrying }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.min(retrying.retryAfterSeconds, Math.max(0, retrying.retryAfterSeconds - (now - retrying.since) / 1000));
  return (
    <p role="status" className="py-2 text-sm text-muted-foreground">
      {seconds >= 1 ? `The provider is busy; retrying in ${formatDuration(seconds)}…` : 'The provider is busy; retrying now…'}
    </p>
  );
}
