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
  if (options.provider === 'anthropic') {
    const factor = CLAUDE_NEW_TOKENIZER.test(options.model.trim().toLowerCase()) ? CLAUDE_NEW_TOKENIZER_FACTOR : CLAUDE_LEGACY_FACTOR;
    return Math.ceil(countO200k(text, AS_PLAIN_TEXT) * factor);
  }
  return encodingForModel(options.model) === 'cl100k_base' ? countCl100k(text, AS_PLAIN_TEXT) : countO200k(text, AS_PLAIN_TEXT);
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
