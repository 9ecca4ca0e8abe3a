import 'server-only';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** Counts a text's tokens in one encoding. */
export type TextTokenCounter = (text: string) => number;

// gpt-4, gpt-4-32k, gpt-4-turbo and gpt-3.5 use cl100k_base; everything newer (gpt-4o, gpt-4.1,
// gpt-5.x, o-series, chatgpt-4o) uses o200k_base.
const CL100K_MODELS = /^(?:gpt-3\.5|gpt-4(?:$|-(?!o)))/;

// User text may legitimately contain strings like "<|endoftext|>": count them as text, not throw.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

export type TokenEncoding = 'o200k_base' | 'cl100k_base';

/** The BPE encoding an OpenAI model uses; o200k_base for anything not known to be older. */
export function encodingForModel(model: string): TokenEncoding {
  return CL100K_MODELS.test(model.trim().toLowerCase()) ? 'cl100k_base' : 'o200k_base';
}

/**
 * BPE merges one run without whitespace in time quadratic in its length: a 20,000-character word
 * took 1.2 s and a 300,000-character one minutes, holding the server. Runs longer than this are
 * counted in pieces of this size. Text of ordinary words has no such run and counts exactly; a
 * long run can only lose merges at a cut, so its count stays close, and rather over than under.
 */
const MAX_RUN_CHARS = 512;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN_CHARS + 1},}`, 'g');

function inBoundedRuns(count: (text: string) => number): (text: string) => number {
  return (text) => {
    if (text.length <= MAX_RUN_CHARS) return count(text);
    let total = 0;
    let from = 0;
    for (const run of text.matchAll(LONG_RUN)) {
      if (run.index > from) total += count(text.slice(from, run.index));
      for (let at = 0; at < run[0].length; at += MAX_RUN_CHARS) total += count(run[0].slice(at, at + MAX_RUN_CHARS));
      from = run.index + run[0].length;
    }
    return from === 0 ? count(text) : total + (from < text.length ? count(text.slice(from)) : 0);
  };
}

/** Exact o200k_base counts (GPT-4o and later; the base of Claude's estimate). */
export const countO200kText: TextTokenCounter = inBoundedRuns((text) => countO200k(text, AS_PLAIN_TEXT));
/** Exact cl100k_base counts (GPT-4, GPT-3.5). */
export const countCl100kText: TextTokenCounter = inBoundedRuns((text) => countCl100k(text, AS_PLAIN_TEXT));
