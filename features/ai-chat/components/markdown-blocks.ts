export interface MarkdownBlock {
  /** The block's markdown source. */
  source: string;
  /** A fenced code block whose closing fence has not arrived (yet). */
  openFence: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Splits markdown into top-level blocks at blank lines outside code fences, so a streamed reply
 * re-parses only its growing last block. Lines indented after a blank line (a list item's next
 * paragraph, indented code) and the rows of a table stay with the block they continue.
 */
export function splitMarkdownBlocks(markdown: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let blankSeen = false;

  const close = () => {
    if (current.length > 0) blocks.push({ source: current.join('\n'), openFence: false });
    current = [];
  };

  for (const line of markdown.split('\n')) {
    if (fence !== null) {
      current.push(line);
      const closing = FENCE.exec(line);
      if (closing?.[1] && closing[1][0] === fence[0] && closing[1].length >= fence.length && line.trim() === closing[1]) {
        fence = null;
        close();
      }
      continue;
    }
    const opening = FENCE.exec(line);
    if (opening?.[1]) {
      close();
      fence = opening[1];
      current.push(line);
      blankSeen = false;
      continue;
    }
    if (line.trim() === '') {
      blankSeen = current.length > 0;
      if (blankSeen) current.push(line);
      continue;
    }
    const continues = /^(\s{2,}|\t)/.test(line);
    if (blankSeen && !continues) {
      // Drop the trailing blank lines kept for a possible continuation.
      while (current.length > 0 && current[current.length - 1]?.trim() === '') current.pop();
      close();
    }
    blankSeen = false;
    current.push(line);
  }
  if (fence !== null) {
    blocks.push({ source: current.join('\n'), openFence: true });
  } else {
    while (current.length > 0 && current[current.length - 1]?.trim() === '') current.pop();
    close();
  }
  return blocks;
}

/** The code and language of an unclosed fence block. */
export function openFenceContent(source: string): { language: string; code: string } {
  const [first = '', ...rest] = source.split('\n');
  const language = first.replace(FENCE, '').trim().split(/\s+/)[0] ?? '';
  return { language, code: rest.join('\n') };
}
