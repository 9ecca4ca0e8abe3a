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
  // Not imported in the browser journey, which keeps its page light. Its import once held the
  // server for 223 s (BPE is quadratic on one long word); the server now counts long runs in
  // pieces (tests/utils/tokens.test.ts), and the import takes a fraction of a second.
  { name: 'a single word of 300,000 characters', text: 'x'.repeat(300_000), throughServer: false },
];
