'use client';

import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { cachedHighlight, highlightCode, resolveLanguage, type HighlightedToken } from './highlight-code';
import { CopyButton } from './CopyButton';
import { useNearViewport } from '../hooks/useNearViewport';

export interface CodeBlockProps {
  code: string;
  /** The fence's info string ("ts", "python"). */
  language?: string;
  /** The closing fence has not arrived: plain text, no highlighting, no copy yet. */
  open?: boolean;
}

const PRE =
  'overflow-x-auto p-3 outline-none focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring font-mono text-[13px] leading-relaxed text-ai-chat-code-foreground dark:text-ai-chat-code-foreground-dark [&_span]:text-[var(--light)] dark:[&_span]:text-[var(--dark)]';

/** A fenced code block: plain while streaming, highlighted by Shiki (loaded on demand) once closed. */
export function CodeBlock({ code, language, open = false }: CodeBlockProps) {
  const highlightable = !open && resolveLanguage(language) !== null;
  const [highlighted, setHighlighted] = useState<{ code: string; lines: HighlightedToken[][] } | null>(null);
  // Shiki runs for the code a reader can see, not for every block of a long conversation.
  const ref = useRef<HTMLDivElement>(null);
  const near = useNearViewport(ref, '400px 0px');

  useEffect(() => {
    if (!highlightable || !near || cachedHighlight(code, language)) return;
    let current = true;
    highlightCode(code, language).then(
      (lines) => {
        if (current && lines) setHighlighted({ code, lines });
      },
      () => undefined, // Highlighting is a nicety: on failure the plain text stays.
    );
    return () => {
      current = false;
    };
  }, [code, language, highlightable, near]);

  const lines = highlightable ? (cachedHighlight(code, language) ?? (highlighted?.code === code ? highlighted.lines : null)) : null;
  const label = language?.trim() || 'text';

  return (
    <div ref={ref} className="group/code my-3 overflow-hidden rounded-lg border border-border bg-ai-chat-code dark:bg-ai-chat-code-dark">
      <div className="flex items-center justify-between border-b border-border px-3 py-1 text-xs text-ai-chat-code-foreground dark:text-ai-chat-code-foreground-dark">
        <span>{label}</span>
        {!open && <CopyButton text={code} label="Copy code" />}
      </div>
      {/* Focusable so a keyboard can scroll a line wider than the screen. */}
      <pre className={PRE} data-highlighted={lines ? 'true' : 'false'} tabIndex={0}>
        <code>
          {lines
            ? lines.map((line, i) => (
                <span key={i} className="block min-h-[1lh]">
                  {line.map((token, j) => (
                    <span key={j} style={{ '--light': token.light, '--dark': token.dark } as CSSProperties}>
                      {token.content}
                    </span>
                  ))}
                </span>
              ))
            : code}
        </code>
      </pre>
    </div>
  );
}
