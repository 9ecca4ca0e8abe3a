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

/**
 * The caret at the end of the text as it streams: drawn after the last paragraph's (or list
 * item's, or heading's) last word, on its line, never on a line of its own.
 */
const CARET = [
  "[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:content-[''] [&>div>:is(ul,ol):last-child>li:last-child]:after:content-['']",
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:ml-0.5 [&>div>:is(ul,ol):last-child>li:last-child]:after:ml-0.5',
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:inline-block [&>div>:is(ul,ol):last-child>li:last-child]:after:inline-block',
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:h-4 [&>div>:is(ul,ol):last-child>li:last-child]:after:h-4',
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:w-1.5 [&>div>:is(ul,ol):last-child>li:last-child]:after:w-1.5',
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:align-text-bottom [&>div>:is(ul,ol):last-child>li:last-child]:after:align-text-bottom',
  '[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:bg-muted-foreground [&>div>:is(ul,ol):last-child>li:last-child]:after:bg-muted-foreground',
  'motion-safe:[&>div>:is(p,h1,h2,h3,h4,h5,h6,blockquote):last-child]:after:animate-pulse motion-safe:[&>div>:is(ul,ol):last-child>li:last-child]:after:animate-pulse',
].join(' ');

/** A reply as it streams: markdown re-parsed block by block, a caret until it is complete. */
export function StreamingMessage({ content, isComplete, retrying = null, className = '' }: StreamingMessageProps) {
  const waiting = content === '' && !isComplete;
  return (
    // aria-busy: screen readers wait for the finished reply instead of reading every fragment.
    <div aria-busy={!isComplete} data-streaming-caret={!isComplete && content !== '' ? '' : undefined} className={`${!isComplete && content !== '' ? CARET : ''} ${className}`}>
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
