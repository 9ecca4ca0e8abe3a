import 'server-only';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { ModelProvider } from './models';

/**
 * Token counts for budgeting a prompt before it is sent. OpenAI models are counted exactly with
 * their BPE ranks (bundled in gpt-tokenizer, no download). Claude's tokenizer is not published,
 * so Claude counts are a deliberate over-estimate: running out of context is an error, leaving a
 * few hundred tokens unused is not. When the provider has reported a message's real usage, store
 * it on the message and the context code will use it instead of counting again.
 */

export interface TokenCountOptions {
  provider: ModelProvider;
  model: string;
}

export interface CountableMessage {
  role: string;
  content: string;
  /** A stored count of the content's tokens; when present it is trusted and nothing is counted. */
  tokens?: number | null;
}

/**
 * Fixed tokens OpenAI's chat format spends on each message (`<|start|>role…<|message|>…<|end|>`)
 * beyond its content, from OpenAI's cookbook ("How to count tokens"): 3 for current models
 * (gpt-3.5-turbo-0301 used 4; 3 is within a token of it).
 */
export const MESSAGE_OVERHEAD_TOKENS = 3;
/** Every reply is primed with `<|start|>assistant<|message|>`: 3 more tokens once per request. */
export const REPLY_PRIMING_TOKENS = 3;

/*
 * Claude estimate. Claude 3/4 tokenizers are measurably less efficient than o200k_base on English
 * and code (public comparisons put them ~10–20% above o200k), so the o200k count is scaled by 1.25.
 * Anthropic documents that the newer tokenizer (Claude Opus 4.7 and later, Sonnet 5+, Haiku 5.5,
 * Fable and Mythos) produces "approximately 30%" (Opus 4.7: up to 35%) more tokens for the same
 * text, so those models get 1.25 × 1.35 ≈ 1.7. Both round up. For an exact figure the server can
 * call Anthropic's count_tokens endpoint; this estimate exists so budgeting works offline and on
 * the client.
 */
const CLAUDE_LEGACY_FACTOR = 1.25;
const CLAUDE_NEW_TOKENIZER_FACTOR = 1.7;
const CLAUDE_NEW_TOKENIZER = /^claude-(?:opus-4-[7-9]|opus-(?:[5-9]|\d{2})|sonnet-(?:[5-9]|\d{2})|haiku-(?:[5-9]|\d{2})|fable|mythos)/;

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

/** Tokens in `text`: exact for OpenAI models, a conservative over-estimate for Claude. */
export function countTokens(text: string, options: TokenCountOptions): number {
  if (text.length === 0) return 0;
  const { count, factor } = counterFor(options);
  return factor === 1 ? count(text) : Math.ceil(count(text) * factor);
}

/** A running count of text that arrives in pieces. */
export interface TokenTally {
  /** Counts one more piece; returns the count so far. */
  add(piece: string): number;
  readonly count: number;
}

/** A tail longer than this is counted as it is: text without spaces must not pile up uncounted. */
const TALLY_TAIL_CHARS = 64;

/**
 * Counts a stream as it arrives, each piece about once (no re-tokenising of what came before).
 * The encoders split words before their leading space, so each piece's last whitespace and what
 * follows it waits for the next piece: a stream of "word " pieces counts as the whole text does,
 * not twice. Claude's factor is applied to the sum, so a piece's rounding never adds up.
 */
export function createTokenTally(options: TokenCountOptions): TokenTally {
  const { count, factor } = counterFor(options);
  let raw = 0;
  let tail = '';
  return {
    add(piece) {
      tail += piece;
      const settled = tail.length > TALLY_TAIL_CHARS ? tail.length : lastWhitespaceRun(tail);
      if (settled > 0) {
        raw += count(tail.slice(0, settled));
        tail = tail.slice(settled);
      }
      return this.count;
    },
    get count() {
      return Math.ceil((raw + (tail ? count(tail) : 0)) * factor);
    },
  };
}

/** Where the text's last run of whitespace begins (0 when none, or when it begins the text). */
function lastWhitespaceRun(text: string): number {
  let end = text.length;
  while (end > 0 && !/\s/.test(text[end - 1]!)) end -= 1;
  if (end === 0) return 0;
  let start = end - 1;
  while (start > 0 && /\s/.test(text[start - 1]!)) start -= 1;
  return start;
}

function counterFor(options: TokenCountOptions): { count: (text: string) => number; factor: number } {
  if (options.provider === 'anthropic') {
    const factor = CLAUDE_NEW_TOKENIZER.test(options.model.trim().toLowerCase()) ? CLAUDE_NEW_TOKENIZER_FACTOR : CLAUDE_LEGACY_FACTOR;
    return { count: inBoundedRuns((text) => countO200k(text, AS_PLAIN_TEXT)), factor };
  }
  return encodingForModel(options.model) === 'cl100k_base'
    ? { count: inBoundedRuns((text) => countCl100k(text, AS_PLAIN_TEXT)), factor: 1 }
    : { count: inBoundedRuns((text) => countO200k(text, AS_PLAIN_TEXT)), factor: 1 };
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

/** Content tokens of one message: the stored count when present, otherwise counted. */
export function messageContentTokens(message: CountableMessage, options: TokenCountOptions): number {
  return isStoredCount(message.tokens) ? message.tokens : countTokens(message.content, options);
}

/** Tokens one message adds to a prompt: its content plus the chat format's per-message overhead. */
export function countMessageTokens(message: CountableMessage, options: TokenCountOptions): number {
  return messageContentTokens(message, options) + MESSAGE_OVERHEAD_TOKENS;
}

/** Tokens a whole prompt costs: every message plus the reply priming. */
export function countConversationTokens(messages: readonly CountableMessage[], options: TokenCountOptions): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) total += countMessageTokens(message, options);
  return total;
}

function isStoredCount(tokens: number | null | undefined): tokens is number {
  return typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0;
}
