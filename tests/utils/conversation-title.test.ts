import { describe, expect, it } from 'vitest';
import { importedTitle, titleFromMessage } from '@/features/ai-chat/server/turn/conversation-title';

describe('titleFromMessage', () => {
  it.each([
    ['# How do I **reverse** a list?', 'How do I reverse a list?'],
    ['## Setup ##', 'Setup'],
    ['Why does `map()` return *undefined*?', 'Why does map() return undefined?'],
    ['See [the docs](https://example.com/docs) and ![a chart](chart.png)', 'See the docs and a chart'],
    ['- first item\n- second item', 'first item second item'],
    ['1. Install\n2) Run', 'Install Run'],
    ['- [x] done task', 'done task'],
    ['> quoted **advice**\n> more', 'quoted advice more'],
    ['```ts\nconst x = 1;\n```\nWhy is this wrong?', 'const x = 1; Why is this wrong?'],
    ['~~old~~ new and __bold__ and _em_', 'old new and bold and em'],
    ['keep snake_case_names intact', 'keep snake_case_names intact'],
    ['  lots   of\n\n\twhitespace  ', 'lots of whitespace'],
    ['Text\n\n---\n\nafter a rule', 'Text after a rule'],
    ['<https://example.com>', 'https://example.com'],
  ])('%j → %j', (message, title) => {
    expect(titleFromMessage(message)).toBe(title);
  });

  it('is "New chat" when nothing readable is left', () => {
    for (const message of ['', '   ', '```\n```', '#', '---', '> ']) expect(titleFromMessage(message)).toBe('New chat');
  });

  it('is at most 80 characters, an ellipsis marking the cut, ending on a word where one is near', () => {
    const title = titleFromMessage(`Tell me ${'about the history of the Roman empire '.repeat(5)}`);
    expect([...title].length).toBeLessThanOrEqual(80);
    expect(title.endsWith('…')).toBe(true);
    expect(title).not.toMatch(/\s…$/);
    expect(titleFromMessage('x'.repeat(200))).toBe(`${'x'.repeat(79)}…`);
  });

  it('counts characters, not UTF-16 units: an emoji is never cut in half', () => {
    const title = titleFromMessage('😀'.repeat(100));
    expect([...title]).toHaveLength(80);
    expect(title).toBe(`${'😀'.repeat(79)}…`);
  });
});

describe('importedTitle', () => {
  it('marks the copy, within the 200-character title limit', () => {
    expect(importedTitle('Trip to Lisbon')).toBe('Trip to Lisbon (imported)');
    const long = importedTitle('word '.repeat(60));
    expect([...long].length).toBeLessThanOrEqual(200);
    expect(long.endsWith('… (imported)')).toBe(true);
  });

  it('does not stack the mark on a copy of a copy', () => {
    expect(importedTitle('Trip (imported)')).toBe('Trip (imported)');
  });
});
