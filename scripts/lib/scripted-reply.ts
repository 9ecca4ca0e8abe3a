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

/**
 * The shape for one message: the fake's own, unless the message asks for another with
 * `[words=N]` and/or `[delay=MS]` (a test needing a longer reply than the others on the same fake).
 */
export function shapeFor(message: string, fallback: ReplyShape): ReplyShape {
  const words = /\[words=(\d+)\]/.exec(message)?.[1];
  const delay = /\[delay=(\d+)\]/.exec(message)?.[1];
  return { words: words ? Number(words) : fallback.words, delayMs: delay ? Number(delay) : fallback.delayMs };
}

/** The full reply text for `message`: `words` words, one delta each. */
export function replyTextFor(message: string, words: number): string {
  const tag = createHash('sha256').update(message).digest('hex').slice(0, 8);
  return Array.from({ length: words }, (_, index) => `${tag}.${index}`).join(' ');
}
