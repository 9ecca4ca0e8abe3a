/**
 * Replies that stalled or crashed react-markdown in the red team's run (issue 19, finding 4),
 * plus deep lists and huge single lines: shared by the jsdom and the Chromium tests.
 */
export const HOSTILE_REPLIES: readonly { name: string; text: string; throughServer?: false }[] = [
  // 6.7 s in react-markdown: emphasis delimiters that never close are matched pairwise.
  { name: '*a × 16,000', text: '*a'.repeat(16_000) },
  // 12.7 s: a 2,000-column table.
  {
    name: 'a 2,000-column table',
    text: [
      `|${Array.from({ length: 2000 }, (_, i) => ` c${i} `).join('|')}|`,
      `|${'---|'.repeat(2000)}`,
      `|${Array.from({ length: 2000 }, (_, i) => ` ${i} `).join('|')}|`,
    ].join('\n'),
  },
  // A stack overflow: 3,000 nested block quotes.
  { name: '> × 3,000', text: `${'>'.repeat(3000)} deep quote` },
  { name: 'a list nested 3,000 deep on one line', text: `${'- '.repeat(3000)}deep item` },
  {
    name: 'a list nested 300 deep by indentation',
    text: Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n'),
  },
  { name: 'a single line of 1,000,000 characters', text: 'lorem ipsum '.repeat(83_334) },
  // Not imported in the browser journey: the import's token count (gpt-tokenizer) is superlinear
  // on one long word and holds the server for minutes (223 s for this one), a server-side defect
  // of its own, outside the renderer.
  { name: 'a single word of 300,000 characters', text: 'x'.repeat(300_000), throughServer: false },
];
