import { describe, expect, it } from 'vitest';
import { splitMarkdownBlocks } from '@/features/ai-chat/components/markdown-blocks';
import { boundMarkdownBlocks, MARKDOWN_LIMITS } from '@/features/ai-chat/components/markdown-limits';

const bound = (markdown: string) => boundMarkdownBlocks(splitMarkdownBlocks(markdown)).map((block) => block.plain);

describe('what goes through the markdown parser', () => {
  it('an ordinary reply is parsed whole: nested lists, quotes, a table, a long code block', () => {
    const code = `\`\`\`ts\n${'const x = 1; // *a* [b] |c|\n'.repeat(2_000)}\`\`\``;
    const reply = ['# Plan', '- one\n  - two\n    - three', '> quoted\n>> twice', '| a | b |\n|---|---|\n| 1 | 2 |', code].join('\n\n');
    expect(bound(reply)).toEqual([false, false, false, false, false]);
  });

  it('past a bound the block is plain: depth, size, table columns and cells, inline markers', () => {
    const deep = Array.from({ length: MARKDOWN_LIMITS.depth + 1 }, () => '>').join('') + ' x';
    expect(bound(deep)).toEqual([true]);
    expect(bound('word '.repeat(MARKDOWN_LIMITS.blockChars / 5 + 1))).toEqual([true]);
    expect(bound(`|${' c |'.repeat(MARKDOWN_LIMITS.tableColumns + 1)}\n|${'---|'.repeat(MARKDOWN_LIMITS.tableColumns + 1)}`)).toEqual([true]);
    expect(bound(Array.from({ length: 300 }, () => '| a | b | c | d |').join('\n'))).toEqual([true]);
    expect(bound('*a'.repeat(MARKDOWN_LIMITS.inlineMarkers + 1))).toEqual([true]);
    expect(bound('*a'.repeat(MARKDOWN_LIMITS.inlineMarkers))).toEqual([false]);
  });

  it('past the message budget the rest is one plain block, and as a reply grows finished blocks keep their verdict', () => {
    const paragraph = 'Some words here. '.repeat(500); // 8,500 characters
    const reply = Array.from({ length: 10 }, () => paragraph).join('\n\n');
    const verdicts = bound(reply);
    expect(verdicts.filter((plain) => !plain)).toHaveLength(Math.floor(MARKDOWN_LIMITS.messageChars / paragraph.length));
    expect(verdicts.at(-1)).toBe(true);
    expect(verdicts.slice(0, -1).every((plain) => !plain)).toBe(true);
    const longer = bound(`${reply}\n\nmore`);
    expect(longer.slice(0, verdicts.length - 1)).toEqual(verdicts.slice(0, -1));
  });
});
