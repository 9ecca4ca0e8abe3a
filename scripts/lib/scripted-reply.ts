import { createHash } from 'node:crypto';

/**
 * The reply the fake provider streams for a user message, computable on both sides: the fake
 * (another process) sends it, the client checks what arrived against it. Every word carries a tag
 * derived from the message, so a delta that reached the wrong chat would be caught.
 */
export interface ReplyShape {
  /** Words, each sent as its own delta. */
  words: number;
  /** Delay before each stream frame, in ms. */
  delayMs: number;
}

/** Prompt tokens the fake reports for every request. */
export const FAKE_PROMPT_TOKENS = 24;

/** The full reply text for `message`: `words` words, one delta each. */
export function replyTextFor(message: string, words: number): string {
  const tag = createHash('sha256').update(message).digest('hex').slice(0, 8);
  return Array.from({ length: words }, (_, index) => `${tag}.${index}`).join(' ');
}
