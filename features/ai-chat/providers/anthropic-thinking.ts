import 'server-only';

import type Anthropic from '@anthropic-ai/sdk';

import type { ModelInfo } from '../utils/models/types';
import type { ProviderRequest, ReasoningEffort } from './types';

type ThinkingConfig = Anthropic.Messages.ThinkingConfigParam;
type Effort = NonNullable<Anthropic.Messages.OutputConfig['effort']>;

/** The most max_tokens the SDK lets a non-streaming call ask for (10 minutes at 128k tokens an hour). */
export const NON_STREAMING_MAX_TOKENS = 21_333;

/** The API's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/**
 * Thinking tokens per effort. A budget model thinks up to this much; an adaptive model gets the same
 * room on top of the answer's max_tokens, since thinking counts toward max_tokens and would otherwise
 * eat the answer.
 */
const THINKING_TOKENS: Record<ReasoningEffort, number> = { minimal: MIN_THINKING_BUDGET, low: 2048, medium: 4096, high: 16_384 };

/** Models that cannot be told not to think. */
const ALWAYS_THINKS = /^claude-mythos/;

/** Adaptive thinking takes low/medium/high (and more); there is no "minimal". */
const ADAPTIVE_EFFORT: Record<ReasoningEffort, Effort> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high' };

export interface ThinkingParams {
  maxTokens: number;
  thinking?: ThinkingConfig;
  outputConfig?: Anthropic.Messages.OutputConfig;
}

/**
 * The thinking part of a Messages body: `thinking`, `output_config.effort` and a max_tokens that
 * leaves the answer its own room. `answerTokens` is what the caller asked for the reply.
 *
 * What the API refuses is avoided here rather than sent: thinking with a forced tool choice (only
 * auto and none are allowed), a budget not below max_tokens, a budget under 1,024. Temperature,
 * the other forbidden partner of thinking, is never sent (the installed SDK has no such field).
 */
export function thinkingParams(request: ProviderRequest, model: ModelInfo | null, answerTokens: number, options: { streaming: boolean }): ThinkingParams {
  const mode = model?.reasoning?.thinking;
  // The SDK refuses a non-streaming call whose max_tokens could take over 10 minutes; thinking's
  // room must not push a call past that line which the caller's own max_tokens stayed under.
  const callCeiling = options.streaming ? Number.MAX_SAFE_INTEGER : Math.max(answerTokens, NON_STREAMING_MAX_TOKENS);
  const ceiling = Math.min(model?.maxOutputTokens ?? Number.MAX_SAFE_INTEGER, callCeiling);
  const forcedTool = request.toolChoice === 'required' || typeof request.toolChoice === 'object';
  const effort = request.reasoning ?? model?.reasoning?.defaultEffort ?? 'medium';
  // With a budget the model always thinks, and the API then wants that thinking back in front of
  // the tool call being answered; without it (not kept, or written by another provider) the
  // follow-up is sent without thinking rather than refused.
  const lostThinking = mode === 'budget' && continuesToolTurnWithoutThinking(request);

  if (!mode || effort === 'off' || forcedTool || lostThinking) {
    // An adaptive model may think when `thinking` is left out; say no explicitly, except to a model
    // that always thinks (Mythos Preview answered `disabled` with a 400): there, leave it to the API.
    const sayNo = mode === 'adaptive' && !ALWAYS_THINKS.test(model?.id ?? '');
    return { maxTokens: Math.min(answerTokens, model?.maxOutputTokens ?? answerTokens), ...(sayNo ? { thinking: { type: 'disabled' } } : {}) };
  }

  const room = THINKING_TOKENS[effort];
  const maxTokens = Math.min(answerTokens + room, ceiling);
  if (mode === 'adaptive') {
    // Summarised display: newer models omit the thinking text by default, and the person wants to read it.
    const outputConfig = request.reasoning === undefined && model?.reasoning?.defaultEffort === undefined ? undefined : { effort: ADAPTIVE_EFFORT[effort] };
    return { maxTokens, thinking: { type: 'adaptive', display: 'summarized' }, ...(outputConfig ? { outputConfig } : {}) };
  }

  // budget_tokens must be below max_tokens; at the model's ceiling the budget gives way first.
  const budget = Math.min(room, maxTokens - Math.min(answerTokens, maxTokens - MIN_THINKING_BUDGET));
  if (budget < MIN_THINKING_BUDGET || budget >= maxTokens) return { maxTokens: Math.min(answerTokens, model?.maxOutputTokens ?? answerTokens) };
  return { maxTokens, thinking: { type: 'enabled', budget_tokens: budget, display: 'summarized' } };
}

/** The request answers tool results of an assistant step that carries none of Claude's thinking. */
function continuesToolTurnWithoutThinking(request: ProviderRequest): boolean {
  if (request.messages.at(-1)?.role !== 'tool') return false;
  const step = request.messages.findLast((message) => message.role === 'assistant');
  if (step?.role !== 'assistant' || !step.toolCalls?.length) return false;
  return !(step.reasoning ?? []).some((part) => part.provider === 'anthropic' && (part.signature !== undefined || part.redactedData !== undefined));
}
