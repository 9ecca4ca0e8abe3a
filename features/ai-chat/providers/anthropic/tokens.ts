import 'server-only';
import { countO200kText } from '../bpe';

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

/** Claude's estimate for a model: o200k counts scaled by its tokenizer's factor (rounded up by the caller). */
export function claudeTokenCounter(model: string): { count: (text: string) => number; factor: number } {
  const factor = CLAUDE_NEW_TOKENIZER.test(model.trim().toLowerCase()) ? CLAUDE_NEW_TOKENIZER_FACTOR : CLAUDE_LEGACY_FACTOR;
  return { count: countO200kText, factor };
}
