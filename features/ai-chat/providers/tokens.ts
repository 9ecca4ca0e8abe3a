import 'server-only';
import type { ModelProvider } from './models';
import { PROVIDERS } from './registry';

export { encodingForModel, type TokenEncoding } from './bpe';

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
  return PROVIDERS[options.provider].tokenCounter(options.model);
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
