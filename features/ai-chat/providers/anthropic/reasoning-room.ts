import 'server-only';
import type { ModelInfo, ReasoningEffortLevel } from '../models/types';

export type { ReasoningEffortLevel } from '../models/types';

/** The API's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** What a thinking call leaves the answer at the least; with less room, it does not think. */
export const MIN_ANSWER_TOKENS = 1024;

/**
 * Thinking tokens per effort: a budget model thinks up to this much, an adaptive model is given
 * as much room. Thinking counts toward max_tokens, so this room comes on top of the answer's.
 */
export const THINKING_TOKENS: Readonly<Record<ReasoningEffortLevel, number>> = { minimal: MIN_THINKING_BUDGET, low: 2048, medium: 4096, high: 16_384 };

/** Models that cannot be told not to think. */
const ALWAYS_THINKS = /^claude-mythos/;

export function alwaysThinks(model: ModelInfo | null): boolean {
  return ALWAYS_THINKS.test(model?.id ?? '');
}

/** The effort a call thinks at: the request's, else the model's default, else medium. */
export function thinkingEffort(model: ModelInfo | null, effort: ReasoningEffortLevel | 'off' | undefined): ReasoningEffortLevel | 'off' {
  if (effort === 'off') return alwaysThinks(model) ? (model?.reasoning?.defaultEffort ?? 'medium') : 'off';
  return effort ?? model?.reasoning?.defaultEffort ?? 'medium';
}

/**
 * The output tokens a call at this effort may spend thinking before its answer: the room for a
 * Claude model with extended thinking, 0 for every other model (OpenAI's reasoning tokens are
 * already inside the max_output_tokens the caller gives). A caller that wants an answer of N
 * tokens asks for N plus this, and reserves that much.
 */
export function reasoningRoomTokens(model: ModelInfo | null, effort: ReasoningEffortLevel | 'off' | undefined): number {
  if (!model?.reasoning?.thinking) return 0;
  const level = thinkingEffort(model, effort);
  return level === 'off' ? 0 : THINKING_TOKENS[level];
}
