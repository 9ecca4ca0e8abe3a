import { describe, expect, it } from 'vitest';
import {
  MAX_SEARCH_TERM_CHARS,
  MAX_SEARCH_TERMS,
  searchTerms,
  SNIPPET_MARK_END,
  SNIPPET_MARK_START,
  snippetRuns,
} from '@/features/ai-chat/protocol/search';

describe('searchTerms: what is typed becomes plain words, never query syntax', () => {
  it('keeps letters and digits in any script, lower-cased, in order, without repeats', () => {
    expect(searchTerms('Lisbon TRIP lisbon')).toEqual(['lisbon', 'trip']);
    expect(searchTerms('Ünïcödé 東京 مرحبا 42')).toEqual(['ünïcödé', '東京', 'مرحبا', '42']);
    // NFKC: a full-width word and a ligature read as the plain letters.
    expect(searchTerms('ＡＢＣ ﬁne')).toEqual(['abc', 'fine']);
  });

  it('splits on quotes, tsquery operators, backslashes, NUL and control characters', () => {
    expect(searchTerms(`"foo" & !bar:* | (baz <-> qux) 'x' \\y`)).toEqual(['foo', 'bar', 'baz', 'qux', 'x', 'y']);
    expect(searchTerms('a\u0000b\u0001c\u0002d\u0003e\u007f')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(searchTerms("it's e-mail")).toEqual(['it', 's', 'e', 'mail']);
    for (const operatorsOnly of ['', '   ', `'`, `''`, '&|!', ':*', '()<->', '\u0000', '🙂🙂', '%%%']) {
      expect(searchTerms(operatorsOnly), JSON.stringify(operatorsOnly)).toEqual([]);
    }
  });

  it('keeps combining marks inside their word (Devanagari, decomposed accents)', () => {
    expect(searchTerms('नमस्ते')).toEqual(['नमस्ते']);
    expect(searchTerms('cafe\u0301')).toEqual(['café']);
  });

  it(`counts at most ${MAX_SEARCH_TERMS} words and cuts each at ${MAX_SEARCH_TERM_CHARS} code points`, () => {
    expect(searchTerms('one two three four five six seven eight nine ten')).toHaveLength(MAX_SEARCH_TERMS);
    expect(searchTerms('a'.repeat(10_000))).toEqual(['a'.repeat(MAX_SEARCH_TERM_CHARS)]);
    // Astral characters are cut whole, never into a lone surrogate.
    const [cut] = searchTerms('𝒜'.repeat(100));
    expect(Array.from(cut!)).toHaveLength(MAX_SEARCH_TERM_CHARS);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('snippetRuns: the database marks matches, the client renders them as text', () => {
  it('splits a snippet into plain and marked runs', () => {
    expect(snippetRuns(`ride the ${SNIPPET_MARK_START}funicular${SNIPPET_MARK_END} up`)).toEqual([
      { text: 'ride the ', marked: false },
      { text: 'funicular', marked: true },
      { text: ' up', marked: false },
    ]);
  });

  it('keeps markup as text: a tag in a message is never HTML', () => {
    expect(snippetRuns(`<img src=x onerror=alert(1)> ${SNIPPET_MARK_START}<b>${SNIPPET_MARK_END}`)).toEqual([
      { text: '<img src=x onerror=alert(1)> ', marked: false },
      { text: '<b>', marked: true },
    ]);
    expect(snippetRuns('')).toEqual([]);
    expect(snippetRuns(`${SNIPPET_MARK_END}x${SNIPPET_MARK_START}`)).toEqual([{ text: 'x', marked: false }]);
  });
});
