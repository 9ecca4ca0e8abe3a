import { describe, expect, it } from 'vitest';
import { openFenceContent, splitMarkdownBlocks } from '@/features/ai-chat/components/markdown-blocks';

describe('splitMarkdownBlocks', () => {
  it('splits at blank lines and keeps a table and a tight list whole', () => {
    const blocks = splitMarkdownBlocks('# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\nEnd.');
    expect(blocks.map((b) => b.source)).toEqual(['# Title', '| a | b |\n|---|---|\n| 1 | 2 |', '- one\n- two', 'End.']);
  });

  it('keeps blank lines inside a code fence and marks an unclosed fence', () => {
    const closed = splitMarkdownBlocks('Before\n```ts\nconst a = 1;\n\nconst b = 2;\n```\nAfter');
    expect(closed.map((b) => [b.source, b.openFence])).toEqual([
      ['Before', false],
      ['```ts\nconst a = 1;\n\nconst b = 2;\n```', false],
      ['After', false],
    ]);
    const open = splitMarkdownBlocks('Here:\n\n```python\nprint(1)\n');
    expect(open.at(-1)).toEqual({ source: '```python\nprint(1)\n', openFence: true });
    expect(openFenceContent(open.at(-1)!.source)).toEqual({ language: 'python', code: 'print(1)\n' });
  });

  it('keeps an indented continuation with its list item', () => {
    const blocks = splitMarkdownBlocks('1. First\n\n   more about first\n2. Second\n\nDone');
    expect(blocks.map((b) => b.source)).toEqual(['1. First\n\n   more about first\n2. Second', 'Done']);
  });

  it('leaves earlier blocks identical as the text grows, so they are not re-parsed', () => {
    const before = splitMarkdownBlocks('Para one.\n\nPara tw');
    const after = splitMarkdownBlocks('Para one.\n\nPara two is longer');
    expect(after[0]!.source).toBe(before[0]!.source);
  });
});
