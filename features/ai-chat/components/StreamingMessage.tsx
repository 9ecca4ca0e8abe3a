'use client';

import { Markdown } from './Markdown';

export interface StreamingMessageProps {
  /** The reply so far. */
  content: string;
  isComplete: boolean;
  className?: string;
}

/** A reply as it streams: markdown re-parsed block by block, a caret until it is complete. */
export function StreamingMessage({ content, isComplete, className = '' }: StreamingMessageProps) {
  return (
    // aria-busy: screen readers wait for the finished reply instead of reading every fragment.
    <div aria-busy={!isComplete} className={className}>
      {content === '' && !isComplete ? (
        <span className="inline-flex gap-1 py-2" role="status" aria-label="Assistant is writing">
          {[0, 1, 2].map((dot) => (
            <span
              key={dot}
              className="size-1.5 animate-bounce rounded-full bg-zinc-400 motion-reduce:animate-none dark:bg-zinc-500"
              style={{ animationDelay: `${dot * 150}ms` }}
            />
          ))}
        </span>
      ) : (
        <Markdown content={content} />
      )}
      {!isComplete && content !== '' && (
        <span aria-hidden="true" className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-zinc-400 align-text-bottom motion-reduce:animate-none" />
      )}
    </div>
  );
}
