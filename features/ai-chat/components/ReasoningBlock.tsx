'use client';

import { useEffect, useId, useState } from 'react';
import { Markdown } from './Markdown';
import { ChevronRightIcon } from './icons';

export interface ReasoningBlockProps {
  /** The reasoning as shown (summarised thinking); may be empty (redacted, or not yet arrived). */
  text: string;
  /** While the model still thinks: when it began (ms since epoch). Null once it is done. */
  thinkingSince: number | null;
  /** How long it thought, once known (the server's measure). */
  durationMs?: number;
}

/** "3 s", "1 min 12 s": whole seconds, at least 1 once any time passed. */
function seconds(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

/**
 * What the model thought, apart from the answer: live "Thinking… 3 s" (the text streaming under
 * it) while it thinks, then a collapsed "Thought for 12 s" that opens to the text.
 */
export function ReasoningBlock({ text, thinkingSince, durationMs }: ReasoningBlockProps) {
  const thinking = thinkingSince !== null;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  if (thinking) return <LiveThinking text={text} since={thinkingSince} />;
  const label = durationMs === undefined ? 'Thought' : `Thought for ${seconds(durationMs)}`;
  const hasText = text.trim() !== '';
  if (!hasText) {
    // Redacted thinking, or reasoning the provider keeps encrypted: say why there is nothing to open.
    return (
      <p className="mb-2 px-1.5 py-0.5 text-sm text-muted-foreground">
        {label} (encrypted by the provider: nothing to show)
      </p>
    );
  }
  return (
    <div className="mb-2">
      <button
        type="button"
        aria-expanded={open}
        // Only while the panel exists: a reference to a missing element is an error to checkers.
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((value) => !value)}
        className="inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-sm text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
      >
        <span className={`transition-transform motion-reduce:transition-none ${open ? 'rotate-90' : ''}`}>
          <ChevronRightIcon />
        </span>
        {label}
      </button>
      {open && (
        <div
          id={panelId}
          role="region"
          aria-label="Reasoning"
          className="mt-1 border-l-2 border-border pl-3 text-foreground"
        >
          <Markdown content={text} />
        </div>
      )}
    </div>
  );
}

/**
 * The thinking under way. The seconds tick each second in a part screen readers skip: the
 * status says "Thinking…" once, not a number every second.
 */
function LiveThinking({ text, since }: { text: string; since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const elapsed = Math.max(0, Math.floor((now - since) / 1000));
  return (
    <div className="mb-2">
      <p className="inline-flex items-center gap-1.5 px-1.5 py-0.5 text-sm text-muted-foreground">
        <span role="status">Thinking…</span>
        <span aria-hidden="true" className="tabular-nums">
          {elapsed} s
        </span>
      </p>
      {text !== '' && (
        <div
          aria-label="Reasoning so far"
          role="region"
          // Bottom-aligned in a short box: the latest lines show, the older ones scroll off the top.
          className="mt-1 flex max-h-40 flex-col justify-end overflow-hidden border-l-2 border-border pl-3 text-sm text-muted-foreground [mask-image:linear-gradient(to_top,black_70%,transparent)]"
        >
          {/* Markdown split into cached blocks, as the streaming answer: only the growing block re-parses. */}
          <Markdown content={text} className="shrink-0" />
        </div>
      )}
    </div>
  );
}
