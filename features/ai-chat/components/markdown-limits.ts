import type { MarkdownBlock } from './markdown-blocks';

/**
 * What the markdown parser is given. A reply comes from a model that can be steered and an import
 * stores assistant text of any length; react-markdown's time grows faster than the text on some
 * shapes (6.7 s on `*a` × 16,000, 12.7 s on a 2,000-column table) and its recursion overflows the
 * stack on deep nesting (`>` × 3,000). Past these bounds a block is shown as plain text instead.
 */
export const MARKDOWN_LIMITS = {
  /** Characters of one block (a paragraph, a list, a table). */
  blockChars: 16_000,
  /** Characters of one fenced code block (parsed in linear time, so allowed more). */
  fenceChars: 100_000,
  /** Characters parsed per message: the blocks after this budget are plain text. */
  messageChars: 60_000,
  /** Container nesting of a line: block quotes, list items, indentation steps. */
  depth: 16,
  /** Pipes on one line, a bound on a table's columns. */
  tableColumns: 64,
  /** Pipes in one block, a bound on a table's cells (each one a few elements to build and lay out). */
  tableCells: 1_000,
  /** Inline delimiters in one block (`*`, `_`, `~`, `[`, `]`, backticks), whose pairing is superlinear. */
  inlineMarkers: 1_000,
} as const;

export type MarkdownLimits = { readonly [K in keyof typeof MARKDOWN_LIMITS]: number };

/** A block as rendered: through the parser, or as plain text past the limits. */
export interface RenderedBlock extends MarkdownBlock {
  plain: boolean;
}

const INLINE_MARKERS = new Set(['*', '_', '~', '[', ']', '`']);

/** How many containers a line opens: `>`s, list markers and two-space indentation steps before its text. */
function lineDepth(line: string): number {
  let depth = 0;
  let spaces = 0;
  let i = 0;
  while (i < line.length) {
    const char = line[i];
    if (char === ' ') {
      spaces += 1;
      i += 1;
    } else if (char === '\t') {
      spaces += 4;
      i += 1;
    } else if (char === '>') {
      depth += 1;
      i += 1;
    } else if ((char === '-' || char === '*' || char === '+') && (line[i + 1] === ' ' || line[i + 1] === '\t')) {
      depth += 1;
      i += 2;
    } else {
      const ordered = /^\d{1,9}[.)][ \t]/.exec(line.slice(i, i + 11));
      if (!ordered) break;
      depth += 1;
      i += ordered[0].length;
    }
  }
  return depth + Math.floor(spaces / 2);
}

/** Whether one block stays within what the parser handles in bounded time and stack. */
export function blockFits(block: MarkdownBlock, limits: MarkdownLimits = MARKDOWN_LIMITS): boolean {
  const { source } = block;
  if (block.openFence) return true; // shown as plain code without parsing
  if (/^ {0,3}(`{3,}|~{3,})/.test(source)) return source.length <= limits.fenceChars;
  if (source.length > limits.blockChars) return false;
  let markers = 0;
  let pipes = 0;
  for (const char of source) {
    if (INLINE_MARKERS.has(char)) markers += 1;
    else if (char === '|') pipes += 1;
  }
  if (markers > limits.inlineMarkers || pipes > limits.tableCells) return false;
  for (const line of source.split('\n')) {
    if (lineDepth(line) > limits.depth) return false;
    if (line.split('|').length - 1 > limits.tableColumns) return false;
  }
  return true;
}

/**
 * Marks each block to parse or to show plainly. Blocks past the message's budget become one plain
 * block, so a megabyte of text is one text node, not thousands of rows. A block's verdict depends
 * only on it and the blocks before it: as a reply streams, finished blocks keep theirs.
 */
export function boundMarkdownBlocks(blocks: readonly MarkdownBlock[], limits: MarkdownLimits = MARKDOWN_LIMITS): RenderedBlock[] {
  const rendered: RenderedBlock[] = [];
  let parsed = 0;
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index]!;
    if (parsed + block.source.length > limits.messageChars) {
      const rest = blocks.slice(index).map((b) => b.source).join('\n\n');
      rendered.push({ source: rest, openFence: false, plain: true });
      break;
    }
    const fits = blockFits(block, limits);
    if (fits && !block.openFence) parsed += block.source.length;
    rendered.push({ ...block, plain: !fits });
  }
  return rendered;
}
